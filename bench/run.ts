/**
 * `npm run bench`: the targets of issue #17, each a ratio to a reference measured in the same
 * run on this machine, and the floors (floors.ts) that say how close a target can come at best.
 *
 * - Warm start, WORKERS=1, spawn to /readyz 200 with a full render cache: at --posts (1000) and
 *   --posts-large (10,000) posts, at most 0.25 × Hugo's build of the same posts (hugo.ts).
 * - Memory: a serving process's RSS once ready and after a crawl requesting every page once
 *   (crawl.ts), at --posts-large, at most its RSS at --posts-small (100) + PAGE_CACHE_MB + 40 MB;
 *   primary + 2 workers at --posts, at most 250 MB PSS.
 * - Cold render: `render` (dist/cli/render.js, what `npm run render` runs) into an empty
 *   CACHE_DIR at --posts, at most 1.5 × the two-theme Shiki-alone floor, and faster than
 *   Eleventy 3 with Shiki building the same posts into pages (eleventy.ts); Hugo's ratio too.
 * - Serving a cached post page directly: at least the requests per second of Fastify with
 *   `logger: true` answering the same bytes with the same headers (bare-server.ts); through nginx
 *   with the micro-cache, at least 0.85 × nginx serving the same bytes as a static file (nginx.ts).
 * - Code: lines of src/**\/*.ts (as `wc -l` counts them), fewer than 7,440.
 * - Search (issue #19, search.ts): p95 of one search over HTTP, queries drawn from the posts' own
 *   words, under 5 ms at --posts and under 20 ms at --posts-large; beside each, its floors
 *   (floors.ts): minisearch alone on the same documents and queries, and plain HTTP.
 *
 * Quire is measured by its public behaviour only (HTTP, /readyz, Fastify's "Server listening"
 * line, /metrics, process memory from /proc, the exit of `render`), so the same bench measures
 * whatever server dist/server.js is. `npm run bench` builds it first: production runs compiled
 * JavaScript (running .ts sources makes every process load Node's TypeScript stripper).
 * References are built in alternating rounds with Quire's own runs, so a burst of other work on
 * the machine is shared rather than landing on one side. Hugo is installed with apt-get when
 * missing, Eleventy with npm (eleventy.ts); neither is needed by the tests.
 *
 * A benchmark, not a test: it prints one JSON object on stdout (progress on stderr) and exits 0
 * whether or not the targets are met; 1 if it could not run.
 *
 *   npm run bench -- [--quick] [--posts 1000] [--posts-large 10000] [--posts-small 100]
 *                    [--runs 3] [--page-cache-mb 64] [--duration 5] [--connections 20]
 *                    [--rounds 2] [--cpu-requests 40000] [--cpu-rounds 3]
 *                    [--server dist/server.js] [--render dist/cli/render.js]
 *                    [--search-queries 200] [--timeout 3600] [--keep] [--only search]
 *
 * `--quick` makes everything small (a few hundred posts, one run of each, one-second load runs),
 * to check the harness end to end in a few minutes; its figures are no measurement of anything.
 * `--only search` runs the search step alone (generate, render, search), in minutes.
 * Every step is bounded in time, everything runs on 127.0.0.1, and every child process is killed
 * on the way out, whatever happens.
 */

import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { crawl, type CrawlResult } from './crawl.ts';
import { buildEleventy, ensureEleventy, VERSIONS, writeEleventySite } from './eleventy.ts';
import {
  idleProcesses,
  pageCacheFloor,
  searchAlone,
  searchHttpFloor,
  shikiAlone,
  startBare,
} from './floors.ts';
import { generatePosts, LARGE_POST_SLUG } from '../test/helpers/generate-posts.ts';
import { benchQueries, benchSearch, type SamplePage } from './search.ts';
import { buildHugo, countFiles, ensureHugo, writeHugoSite } from './hugo.ts';
import {
  clockTicksPerSecond,
  httpGet,
  killAll,
  pssTree,
  replayableHeaders,
  rssTree,
  runToExit,
  type ServerProcess,
  stopServer,
} from './measure.ts';
import {
  metric,
  type QuireOptions,
  renderCold,
  type Site,
  SITE_URL,
  startQuire,
  type Started,
  tsLines,
} from './quire.ts';
import { THEMES, themesOfPage } from './themes.ts';
import { compareCpu, compareThroughput, cpuEfficiency, ratio } from './throughput.ts';

const ROOT = join(import.meta.dirname, '..');
const LARGE_POST_PATH = `/posts/${LARGE_POST_SLUG}`;
const CLUSTER_WORKERS = 2;
/** Issue #17's targets. */
const TARGET = {
  warmStartOfHugo: 0.25,
  memoryAllowanceMb: 40,
  clusterPssMb: 250,
  coldRenderOfShikiFloor: 1.5,
  coldRenderOfEleventy: 1.0,
  throughputOfFastifyLogger: 1.0,
  nginxOfStatic: 0.85,
  srcLines: 7440,
  searchP95Ms: 5,
  searchP95MsLarge: 20,
  /** The post counts the targets are stated for. */
  posts: 1000,
  postsLarge: 10_000,
  postsSmall: 100,
};

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    posts: { type: 'string' },
    'posts-large': { type: 'string' },
    'posts-small': { type: 'string' },
    runs: { type: 'string' },
    'page-cache-mb': { type: 'string', default: '64' },
    duration: { type: 'string' },
    connections: { type: 'string', default: '20' },
    rounds: { type: 'string' },
    'cpu-requests': { type: 'string' },
    'cpu-rounds': { type: 'string' },
    server: { type: 'string', default: 'dist/server.js' },
    render: { type: 'string', default: 'dist/cli/render.js' },
    'search-queries': { type: 'string' },
    timeout: { type: 'string' },
    keep: { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
if (args.only !== undefined && args.only !== 'search') {
  throw new Error(`--only takes one step: search (got ${args.only})`);
}
/** Defaults, and those of --quick. */
const DEFAULTS = {
  full: {
    posts: 1000,
    'posts-large': 10_000,
    'posts-small': 100,
    runs: 3,
    duration: 5,
    rounds: 2,
    'cpu-requests': 40_000,
    'cpu-rounds': 3,
    'search-queries': 200,
    timeout: 3600,
    nginxDuration: 2,
    nginxRounds: 3,
  },
  quick: {
    posts: 200,
    'posts-large': 600,
    'posts-small': 30,
    runs: 1,
    duration: 1,
    rounds: 1,
    'cpu-requests': 2000,
    'cpu-rounds': 1,
    'search-queries': 50,
    timeout: 900,
    nginxDuration: 1,
    nginxRounds: 1,
  },
};
const defaults = args.quick ? DEFAULTS.quick : DEFAULTS.full;
const positive = (name: keyof typeof args, max: number) => {
  const given = args[name] as string | undefined;
  const value = given === undefined ? (defaults as Record<string, number>)[name] : Number(given);
  if (value === undefined || !Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`--${name} must be a whole number from 1 to ${max} (got ${given})`);
  }
  return value;
};
const options = {
  posts: positive('posts', 100_000),
  postsLarge: positive('posts-large', 100_000),
  postsSmall: positive('posts-small', 100_000),
  runs: positive('runs', 10),
  pageCacheMb: positive('page-cache-mb', 4096),
  durationSec: positive('duration', 60),
  connections: positive('connections', 200),
  rounds: positive('rounds', 10),
  cpuRequests: positive('cpu-requests', 1_000_000),
  cpuRounds: positive('cpu-rounds', 10),
  searchQueries: positive('search-queries', 10_000),
  timeoutSec: positive('timeout', 4 * 3600),
};
if (!(options.postsSmall < options.posts && options.posts <= options.postsLarge)) {
  throw new Error('--posts-small < --posts <= --posts-large, please');
}
if (options.cpuRequests < options.connections) {
  throw new Error(
    `--cpu-requests (${options.cpuRequests}) must be at least --connections (${options.connections})`,
  );
}

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const round1 = (value: number) => Math.round(value * 10) / 10;
const round3 = (value: number) => Math.round(value * 1000) / 1000;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const timings = (runsMs: number[]) => ({
  medianMs: round1(median(runsMs)),
  minMs: Math.min(...runsMs),
  runsMs,
});
/** Per-step time limits that grow with the posts, never under a minute. */
const limit = (posts: number, msPerPost: number) => Math.max(60_000, posts * msPerPost);

// Whatever happens from here on, no child outlives us and the temp dir goes.
const workDir = await mkdtemp(join(os.tmpdir(), 'quire-bench-'));
process.on('exit', () => {
  killAll();
  if (!args.keep) rmSync(workDir, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    process.exit(1);
  });
}
const overall = setTimeout(() => {
  log(`gave up after --timeout ${options.timeoutSec} s`);
  process.exit(1);
}, options.timeoutSec * 1000);

/** One target of the report: what was measured against what, and whether it is met. */
interface Target {
  measured: unknown;
  reference: unknown;
  ratio: number | null;
  target: string;
  pass: boolean | null;
  error?: string;
}
const target = (
  measured: unknown,
  reference: unknown,
  value: number | null,
  op: '<=' | '<' | '>=',
  bound: number,
): Target => ({
  measured,
  reference,
  ratio: value === null ? null : round3(value),
  target: `${op} ${bound}`,
  pass:
    value === null
      ? null
      : op === '<='
        ? value <= bound
        : op === '<'
          ? value < bound
          : value >= bound,
});
const failed = (error: unknown, bound: string): Target => ({
  measured: null,
  reference: null,
  ratio: null,
  target: bound,
  pass: null,
  error: error instanceof Error ? error.message.split('\n')[0] : String(error),
});

/** RSS (summed over the process tree) and PSS of a server now. */
function memory(server: ServerProcess) {
  const rss = rssTree(server.pid);
  const pss = pssTree(server.pid);
  return {
    rssMb: rss.totalMb ?? null,
    pssMb: pss.totalMb ?? null,
    processes: rss.processesMb.length,
    processesRssMb: rss.processesMb,
  };
}

/**
 * The search targets at both sizes, each site's render cache already filled, each with its
 * floors (floors.ts): minisearch alone in-process (CPU time), and bare Fastify over HTTP.
 */
async function measureSearch(
  quire: QuireOptions,
  medium: Site & { posts: number },
  large: Site & { posts: number },
) {
  const searchFloors = async (site: Site & { posts: number }, page: SamplePage) => {
    const { measured } = await benchQueries(site.postsDir, options.searchQueries);
    const queriesFile = join(workDir, `search-queries-${site.posts}.json`);
    await writeFile(queriesFile, JSON.stringify(measured));
    log(`search floors at ${site.posts} posts: minisearch alone, plain HTTP`);
    // Quire serves PAGES_DIR's default, ./pages of ROOT: the site index is for that folder.
    const pagesDir = join(ROOT, 'pages');
    const inProcess = await searchAlone(ROOT, { ...site, pagesDir }, queriesFile);
    const plainHttp = await searchHttpFloor({
      name: `bare-search-${site.posts}`,
      root: ROOT,
      logDir: quire.logDir,
      workDir,
      page,
      queries: measured,
    });
    return { ...inProcess, plainHttp };
  };
  const searchTarget = async (site: Site & { posts: number }, boundMs: number) => {
    try {
      const { result, page } = await benchSearch(quire, site, {
        queries: options.searchQueries,
        timeoutMs: limit(site.posts, 100),
      });
      const floor = await searchFloors(site, page).catch((error: unknown) => ({
        error: error instanceof Error ? error.message.split('\n')[0] : String(error),
      }));
      return {
        ...target(
          { what: `p95 of one search over HTTP, WORKERS=1, ${site.posts} posts`, ...result },
          { p95Ms: boundMs },
          result.p95Ms / boundMs,
          '<',
          1,
        ),
        floor,
        note: "ratio: p95 over the bound; firstSearchMs includes building the index, which the measured searches do not. floor: the same queries to minisearch alone (search-index.ts's options and documents, no filter, no snippets) and to Quire's query step (search-page.ts results: the span quire_search_duration_seconds times), alternated in one process, CPU ms per query (median of the rounds); plainHttp: bare Fastify answering a search page of the same bytes at /search, the same queries on one kept-alive connection. A p95 over HTTP cannot be below minisearchAlone.p95CpuMs + plainHttp.p95Ms.",
      };
    } catch (error) {
      return failed(error, `p95 < ${boundMs} ms`);
    }
  };
  return {
    search: await searchTarget(medium, TARGET.searchP95Ms),
    searchLarge: await searchTarget(large, TARGET.searchP95MsLarge),
  };
}

/** `--only search`: the posts at both sizes, rendered, then the search step alone. */
async function searchOnly() {
  const loadAtStart = os.loadavg().map((load) => round1(load));
  const logDir = join(workDir, 'logs');
  await mkdir(logDir, { recursive: true });
  const quire: QuireOptions = {
    root: ROOT,
    server: args.server,
    render: args.render,
    logDir,
    pageCacheMb: options.pageCacheMb,
  };
  const sites = [];
  for (const count of [options.posts, options.postsLarge]) {
    const site = {
      postsDir: join(workDir, `posts-${count}`),
      cacheDir: join(workDir, `cache-${count}`),
      posts: count,
    };
    await generatePosts(site.postsDir, count);
    log(`${count} posts: render (cold)`);
    await renderCold(quire, site, `render-${count}`, limit(count, 200));
    sites.push(site);
  }
  const [medium, large] = sites as [Site & { posts: number }, Site & { posts: number }];
  log(`search: ${options.searchQueries} queries at ${medium.posts} and ${large.posts} posts`);
  const targets = await measureSearch(quire, medium, large);
  return {
    benchmark: 'quire search (issue #19 targets), --only search',
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      node: process.version,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: os.loadavg().map((load) => round1(load)),
    },
    server: args.server,
    targets,
    allPass: Object.values(targets).every((t) => t.pass === true),
    notes: [
      'Other work on the machine skews these figures; the load averages say how much there was.',
    ],
  };
}

async function main() {
  const warnings: string[] = [];
  // Other work on the machine skews every number here; the load average says how much there was.
  const loadAtStart = os.loadavg().map((load) => round1(load));
  const logDir = join(workDir, 'logs');
  await mkdir(logDir, { recursive: true });
  const quire: QuireOptions = {
    root: ROOT,
    server: args.server,
    render: args.render,
    logDir,
    pageCacheMb: options.pageCacheMb,
  };
  const sigtermExits: Record<string, string> = {};
  const stop = async (server: ServerProcess) => {
    const outcome = await stopServer(server);
    sigtermExits[server.name] = outcome;
    if (outcome !== 'exited with code 0') warnings.push(`${server.name} on SIGTERM: ${outcome}`);
  };
  for (const [flag, given, stated] of [
    ['--posts', options.posts, TARGET.posts],
    ['--posts-large', options.postsLarge, TARGET.postsLarge],
    ['--posts-small', options.postsSmall, TARGET.postsSmall],
  ] as const) {
    if (given !== stated) warnings.push(`${flag} ${given}: the targets are stated for ${stated}`);
  }

  // 1. The posts: three sizes of the same deterministic blog, each plus the large post.
  const sites = {} as Record<'small' | 'medium' | 'large', Site & { posts: number }>;
  for (const [size, count] of [
    ['small', options.postsSmall],
    ['medium', options.posts],
    ['large', options.postsLarge],
  ] as const) {
    const postsDir = join(workDir, `posts-${count}`);
    const started = performance.now();
    await generatePosts(postsDir, count);
    log(
      `generated ${count} posts + ${LARGE_POST_SLUG} in ${Math.round(performance.now() - started)} ms`,
    );
    sites[size] = { postsDir, cacheDir: join(workDir, `cache-${count}`), posts: count };
  }
  const { medium, large, small } = sites;

  // 2. The references' tools, before anything is timed.
  const hugoVersion = await ensureHugo(log);
  log(hugoVersion);
  if (!hugoVersion.includes('v0.111.')) {
    warnings.push(`the reference is Hugo 0.111 (Debian); this is ${hugoVersion}`);
  }
  let eleventy: { peerDir: string; siteDir: string } | { error: unknown };
  try {
    eleventy = { peerDir: await ensureEleventy(ROOT, log), siteDir: join(workDir, 'eleventy') };
  } catch (error) {
    eleventy = { error };
    warnings.push(`Eleventy could not be installed: ${(error as Error).message.split('\n')[0]}`);
  }
  const hugoSites = { medium: join(workDir, 'hugo-medium'), large: join(workDir, 'hugo-large') };
  await writeHugoSite(medium.postsDir, hugoSites.medium);
  await writeHugoSite(large.postsDir, hugoSites.large);
  const hugoBuild = (site: 'medium' | 'large', run: number) =>
    buildHugo({
      name: `hugo-${site}-${run}`,
      siteDir: hugoSites[site],
      outDir: join(workDir, `hugo-${site}-public`),
      cacheDir: join(workDir, 'hugo-cache'),
      logDir,
      timeoutMs: limit(sites[site].posts, 60),
    });

  // 3. Floors that need no server: Shiki alone over the code blocks of the same posts.
  log('floors: Shiki alone over the same code blocks');
  const shiki = await shikiAlone(ROOT, medium.postsDir);
  if ('peerDir' in eleventy) {
    await writeEleventySite({
      postsDir: medium.postsDir,
      siteDir: eleventy.siteDir,
      peerDir: eleventy.peerDir,
      langs: shiki.langs,
    });
  }

  // 4. At --posts, in rounds: Quire's cold render, Hugo, Eleventy, then a warm start of Quire on
  //    the cache the render just filled. The last server stays up for the throughput runs.
  const coldRenderMs: number[] = [];
  const hugoMediumMs: number[] = [];
  const eleventyMs: number[] = [];
  let eleventyError: unknown;
  const warmMedium: number[] = [];
  const warmMediumRenders: (number | null)[] = [];
  let single: Started | undefined;
  for (let run = 1; run <= options.runs; run++) {
    log(
      `${medium.posts} posts, round ${run}/${options.runs}: render (cold), Hugo, Eleventy, warm start`,
    );
    coldRenderMs.push(
      await renderCold(quire, medium, `render-${medium.posts}-${run}`, limit(medium.posts, 200)),
    );
    hugoMediumMs.push(await hugoBuild('medium', run));
    if ('peerDir' in eleventy && eleventyError === undefined) {
      try {
        eleventyMs.push(
          await buildEleventy({
            name: `eleventy-${run}`,
            siteDir: eleventy.siteDir,
            peerDir: eleventy.peerDir,
            logDir,
            timeoutMs: limit(medium.posts, 300),
          }),
        );
      } catch (error) {
        eleventyError = error;
        warnings.push(`Eleventy failed: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    const started = await startQuire(quire, medium, `quire-warm-${medium.posts}-${run}`, {
      timeoutMs: limit(medium.posts, 100),
    });
    warmMedium.push(started.startMs);
    warmMediumRenders.push(await metric(started.metricsUrl, 'quire_render_cache_misses_total'));
    if (run < options.runs) await stop(started.server);
    else single = started;
  }
  if (single === undefined) throw new Error('no warm server');
  const hugoPages = {
    html: await countFiles(join(workDir, 'hugo-medium-public'), '.html'),
    xml: await countFiles(join(workDir, 'hugo-medium-public'), '.xml'),
  };
  const eleventyPages =
    'siteDir' in eleventy && eleventyMs.length > 0
      ? {
          html: await countFiles(join(eleventy.siteDir, '_site'), '.html'),
          xml: await countFiles(join(eleventy.siteDir, '_site'), '.xml'),
        }
      : null;

  // 5. Serving a cached post page: Quire (WORKERS=1) against Fastify with `logger: true`
  //    answering the same bytes with the same headers; the floors beside them.
  const page = await httpGet(`${single.server.baseUrl}${LARGE_POST_PATH}`, 10_000);
  if (page.status !== 200) throw new Error(`GET ${LARGE_POST_PATH} answered ${page.status}`);
  const pageThemes = themesOfPage(page.body.toString('utf8'));
  if (pageThemes?.join(' ') !== `${THEMES.light} ${THEMES.dark}`) {
    warnings.push(
      `Quire's page names the themes ${pageThemes?.join(', ') ?? '(none)'}; Shiki alone and Eleventy use ${THEMES.light}, ${THEMES.dark} (bench/themes.ts)`,
    );
  }
  const headers = replayableHeaders(page.headers);
  const bodyFile = join(workDir, 'page.html');
  const headersFile = join(workDir, 'page-headers.json');
  await writeFile(bodyFile, page.body);
  await writeFile(headersFile, JSON.stringify(headers));
  const bareOptions = { root: ROOT, logDir, bodyFile, headersFile, path: LARGE_POST_PATH };
  log('throughput: Fastify logger: true, bare Fastify, bare Fastify + access line');
  const fastifyLogger = await startBare({
    ...bareOptions,
    name: 'fastify-logger',
    logging: 'fastify-logger',
  });
  const bare = await startBare({ ...bareOptions, name: 'bare', logging: 'none' });
  const bareLogged = await startBare({
    ...bareOptions,
    name: 'bare-access-line',
    logging: 'access-line',
  });
  const servers = { quire: single.server, fastifyLogger, bare, bareLogged };
  const headerBytes: Record<string, number> = {};
  for (const [name, server] of Object.entries(servers)) {
    const served = await httpGet(`${server.baseUrl}${LARGE_POST_PATH}`, 5000);
    if (served.status !== 200 || !served.body.equals(page.body)) {
      throw new Error(`${name} answered ${served.status} with other bytes than Quire's page`);
    }
    headerBytes[name] = Object.entries(served.headers).reduce(
      (sum, [field, value]) => sum + `${field}: ${String(value)}\r\n`.length,
      0,
    );
  }
  const urls = Object.fromEntries(
    Object.entries(servers).map(([name, server]) => [name, `${server.baseUrl}${LARGE_POST_PATH}`]),
  ) as Record<keyof typeof servers, string>;
  const throughput = await compareThroughput(urls, {
    rounds: options.rounds,
    durationSec: options.durationSec,
    connections: options.connections,
    warmupSec: 1,
    log,
  });
  warnings.push(...throughput.warnings);
  const ticksPerSec = clockTicksPerSecond();
  const cpu = await compareCpu(
    Object.fromEntries(
      Object.entries(servers).map(([name, server]) => [
        name,
        { url: urls[name as keyof typeof urls], pid: server.pid },
      ]),
    ) as Record<keyof typeof servers, { url: string; pid: number }>,
    {
      rounds: options.cpuRounds,
      requests: options.cpuRequests,
      connections: options.connections,
      ticksPerSec,
      // At least 500 requests/s, or a minute, whichever is longer.
      runTimeoutMs: Math.max(60_000, options.cpuRequests * 2),
      log,
    },
  );
  warnings.push(...cpu.warnings);
  for (const server of Object.values(servers)) await stop(server);

  // 6. Primary + 2 workers at --posts: PSS once ready and after every page once.
  log(`cluster: WORKERS=${CLUSTER_WORKERS}, ${medium.posts} posts`);
  const cluster = await startQuire(quire, medium, 'quire-cluster', {
    workers: CLUSTER_WORKERS,
    timeoutMs: limit(medium.posts, 200),
  });
  const clusterReady = memory(cluster.server);
  if (clusterReady.processes !== CLUSTER_WORKERS + 1) {
    warnings.push(
      `the cluster had ${clusterReady.processes} processes when ready, expected primary + ${CLUSTER_WORKERS} workers`,
    );
  }
  const crawlOf = (server: ServerProcess, posts: number) =>
    crawl({
      baseUrl: server.baseUrl,
      siteUrl: SITE_URL,
      maxPages: posts * 4 + 2000,
      timeoutMs: limit(posts, 60),
      concurrency: 4,
    });
  const clusterCrawl = await crawlOf(cluster.server, medium.posts);
  const clusterCrawled = memory(cluster.server);
  // The pages the workers keep after every page once (README, "Metrics": summed over workers).
  const clusterPageCacheBytes = await metric(cluster.metricsUrl, 'quire_page_cache_bytes');
  await stop(cluster.server);

  // 7. A serving process (WORKERS=1) at --posts-small: the memory baseline.
  log(`${small.posts} posts: render, start, every page once`);
  const smallRenderMs = await renderCold(
    quire,
    small,
    `render-${small.posts}`,
    limit(small.posts, 200),
  );
  const smallServer = await startQuire(quire, small, `quire-${small.posts}`);
  const smallReady = memory(smallServer.server);
  const smallCrawl = await crawlOf(smallServer.server, small.posts);
  const smallCrawled = memory(smallServer.server);
  await stop(smallServer.server);

  // 8. At --posts-large: one cold render to fill the cache, then rounds of Hugo and a warm start;
  //    the last server is crawled for the memory target.
  log(`${large.posts} posts: render (cold)`);
  const largeRenderMs = await renderCold(
    quire,
    large,
    `render-${large.posts}`,
    limit(large.posts, 200),
  );
  const hugoLargeMs: number[] = [];
  const warmLarge: number[] = [];
  const warmLargeRenders: (number | null)[] = [];
  const largeReady: ReturnType<typeof memory>[] = [];
  let largeCrawl: CrawlResult | undefined;
  let largeCrawled: ReturnType<typeof memory> | undefined;
  for (let run = 1; run <= options.runs; run++) {
    log(`${large.posts} posts, round ${run}/${options.runs}: Hugo, warm start`);
    hugoLargeMs.push(await hugoBuild('large', run));
    const started = await startQuire(quire, large, `quire-warm-${large.posts}-${run}`, {
      timeoutMs: limit(large.posts, 100),
    });
    warmLarge.push(started.startMs);
    largeReady.push(memory(started.server));
    warmLargeRenders.push(await metric(started.metricsUrl, 'quire_render_cache_misses_total'));
    if (run === options.runs) {
      log(`${large.posts} posts: every page once`);
      largeCrawl = await crawlOf(started.server, large.posts);
      largeCrawled = memory(started.server);
    }
    await stop(started.server);
  }
  for (const [posts, renders] of [
    [medium.posts, warmMediumRenders],
    [large.posts, warmLargeRenders],
  ] as const) {
    if (renders.some((count) => count !== null && count > 0)) {
      warnings.push(
        `warm starts at ${posts} posts: quire_render_cache_misses_total ${renders.join(', ')} once ready (expected 0)`,
      );
    }
  }
  for (const [name, result, posts] of [
    ['cluster', clusterCrawl, medium.posts],
    [`${small.posts} posts`, smallCrawl, small.posts],
    [`${large.posts} posts`, largeCrawl, large.posts],
  ] as const) {
    if (!result) continue;
    const reached = result.kinds.post ?? 0;
    if (!result.complete) warnings.push(`crawl of ${name} stopped by ${result.stoppedBy}`);
    // Every post plus links to unknown posts in the generated prose (answered 404).
    if (reached < posts + 1)
      warnings.push(`crawl of ${name} reached ${reached} post URLs of ${posts + 1} posts`);
  }

  // 9. Search at --posts and --posts-large, on the caches rendered above (search.ts).
  log(`search: ${options.searchQueries} queries at ${medium.posts} and ${large.posts} posts`);
  const searchTargets = await measureSearch(quire, medium, large);

  // 10. Through nginx: nginx.ts with the micro-cache, run as its own program.
  log('nginx: page through nginx with the micro-cache against the same bytes as a static file');
  let nginx: Target & { cpuRatio?: number; note?: string };
  let nginxReport: Record<string, unknown> | null = null;
  try {
    const name = 'bench-nginx';
    await runToExit(
      {
        name,
        args: [
          'bench/nginx.ts',
          '--microcache',
          'on',
          '--server',
          args.server,
          '--duration',
          String(defaults.nginxDuration),
          '--rounds',
          String(defaults.nginxRounds),
          '--connections',
          String(options.connections),
        ],
        cwd: ROOT,
        env: { ...process.env },
        logDir,
        stopsItsChildren: true,
      },
      600_000,
    );
    nginxReport = JSON.parse(await readFile(join(logDir, `${name}.stdout.log`), 'utf8')) as Record<
      string,
      unknown
    >;
    const https = nginxReport.https_microcache_on as {
      ratio: number;
      pageRps: number[];
      staticRps: number[];
      cpuRatio: number;
      errors: number;
    };
    nginx = {
      ...target(
        {
          what: 'a post page through nginx (HTTPS, micro-cache on), requests per second by round',
          runs: https.pageRps,
        },
        {
          what: 'nginx serving the same bytes and headers as a static file',
          runs: https.staticRps,
        },
        https.ratio,
        '>=',
        TARGET.nginxOfStatic,
      ),
      cpuRatio: https.cpuRatio,
      note: 'ratio: the median of the per-round ratios (nginx.ts); cpuRatio: nginx CPU per response, static/page. The whole nginx.ts report is other.nginx.',
    };
    if (https.errors > 0) warnings.push(`nginx runs: ${https.errors} failed requests`);
  } catch (error) {
    nginx = failed(error, `>= ${TARGET.nginxOfStatic}`);
    warnings.push(`nginx bench failed: ${nginx.error}`);
  }

  // 11. Floors with no server of Quire's running: idle Fastify processes.
  log(`floors: 1 and ${CLUSTER_WORKERS + 1} idle Fastify processes`);
  const idleOne = await idleProcesses(1, {
    root: ROOT,
    logDir,
    bytes: page.body.length,
    path: LARGE_POST_PATH,
  });
  const idleCluster = await idleProcesses(CLUSTER_WORKERS + 1, {
    root: ROOT,
    logDir,
    bytes: page.body.length,
    path: LARGE_POST_PATH,
  });
  const cacheFloor = async (crawled: CrawlResult | undefined) =>
    crawled &&
    (await pageCacheFloor(ROOT, {
      pages: crawled.pages,
      bodyBytes: crawled.bodyBytes,
      cacheMb: options.pageCacheMb,
    }));
  log('floors: the page cache alone, for the small and the large crawl');
  const smallCacheFloor = await cacheFloor(smallCrawl);
  const largeCacheFloor = await cacheFloor(largeCrawl);
  const code = await tsLines(join(ROOT, 'src'));

  // 12. The report.
  const hugoMedium = timings(hugoMediumMs);
  const hugoLarge = timings(hugoLargeMs);
  const coldRender = timings(coldRenderMs);
  const warmM = timings(warmMedium);
  const warmL = timings(warmLarge);
  const eleventyTimes = eleventyMs.length > 0 ? timings(eleventyMs) : null;
  const worst = (a: number | null, b: number | null) =>
    a === null || b === null ? null : Math.max(a, b);
  const smallRss = worst(smallReady.rssMb, smallCrawled.rssMb);
  const largeRss = worst(largeReady.at(-1)?.rssMb ?? null, largeCrawled?.rssMb ?? null);
  const allowanceMb = options.pageCacheMb + TARGET.memoryAllowanceMb;
  const clusterPss = worst(clusterReady.pssMb, clusterCrawled.pssMb);
  const clusterPagesMb = clusterPageCacheBytes === null ? null : clusterPageCacheBytes / 2 ** 20;
  const clusterFloorMb =
    idleCluster.pssMb === null || clusterPagesMb === null
      ? null
      : round1(idleCluster.pssMb + clusterPagesMb);
  const { results } = throughput;
  const hugoRef = (t: ReturnType<typeof timings>, posts: number) => ({
    what: `hugo --quiet building the same ${posts} posts (+ ${LARGE_POST_SLUG}) into pages, Chroma highlighting`,
    ...t,
  });

  const targets = {
    warmStart: target(
      {
        what: `WORKERS=1, spawn to /readyz 200, ${medium.posts} posts, full render cache`,
        ...warmM,
      },
      hugoRef(hugoMedium, medium.posts),
      warmM.medianMs / hugoMedium.medianMs,
      '<=',
      TARGET.warmStartOfHugo,
    ),
    warmStartLarge: target(
      {
        what: `WORKERS=1, spawn to /readyz 200, ${large.posts} posts, full render cache`,
        ...warmL,
      },
      hugoRef(hugoLarge, large.posts),
      warmL.medianMs / hugoLarge.medianMs,
      '<=',
      TARGET.warmStartOfHugo,
    ),
    memory: {
      ...target(
        {
          what: `RSS of a serving process (WORKERS=1, its process tree) at ${large.posts} posts, the larger of once ready and after every page once`,
          rssMb: largeRss,
          afterReady: largeReady.at(-1),
          afterEveryPage: largeCrawled,
          crawl: largeCrawl,
        },
        {
          what: `the same at ${small.posts} posts, + PAGE_CACHE_MB ${options.pageCacheMb} + ${TARGET.memoryAllowanceMb} MB`,
          rssMb: smallRss,
          boundMb: smallRss === null ? null : round1(smallRss + allowanceMb),
          afterReady: smallReady,
          afterEveryPage: smallCrawled,
          crawl: smallCrawl,
        },
        largeRss === null || smallRss === null ? null : (largeRss - smallRss) / allowanceMb,
        '<=',
        1,
      ),
      note: `ratio: the growth from ${small.posts} to ${large.posts} posts over the allowance of PAGE_CACHE_MB + ${TARGET.memoryAllowanceMb} MB (${allowanceMb} MB); 1.0 uses all of it.`,
    },
    clusterPss: {
      ...target(
        {
          what: `PSS of primary + ${CLUSTER_WORKERS} workers at ${medium.posts} posts, the larger of once ready and after every page once`,
          pssMb: clusterPss,
          afterReady: clusterReady,
          afterEveryPage: clusterCrawled,
          crawl: clusterCrawl,
          startMs: cluster.startMs,
        },
        { boundMb: TARGET.clusterPssMb },
        clusterPss === null ? null : clusterPss / TARGET.clusterPssMb,
        '<=',
        1,
      ),
      floor: {
        pssMb: clusterFloorMb,
        idlePrimaryAndWorkersPssMb: idleCluster.pssMb,
        pageCacheMb: clusterPagesMb === null ? null : round1(clusterPagesMb),
        ratio: clusterFloorMb === null ? null : round3(clusterFloorMb / TARGET.clusterPssMb),
      },
      note: 'floor: the PSS of idle Fastify primary + workers (floors.memory.primaryAndWorkers) plus the pages the workers hold after every page once (quire_page_cache_bytes, summed over the workers, as PAGE_CACHE_MB counts them): the least this cluster can take with those pages cached. Sum of Pss from /proc/<pid>/smaps_rollup over the process tree: a page shared by several processes (the Node binary, copy-on-write memory from the fork, files in the page cache mapped by all) is split between them, so it counts once overall.',
    },
    coldRenderVsShiki: target(
      {
        what: `${args.render} (npm run render) into an empty CACHE_DIR, ${medium.posts} posts, wall time`,
        ...coldRender,
      },
      {
        what: 'Shiki alone, two themes, over the same code blocks: floors.coldRender.twoThemesFloorMs',
        ms: shiki.twoThemesFloorMs,
      },
      coldRender.medianMs / shiki.twoThemesFloorMs,
      '<=',
      TARGET.coldRenderOfShikiFloor,
    ),
    coldRenderVsEleventy:
      eleventyTimes === null
        ? failed(
            eleventyError ?? ('error' in eleventy ? eleventy.error : 'not run'),
            `< ${TARGET.coldRenderOfEleventy}`,
          )
        : target(
            {
              what: `${args.render} into an empty CACHE_DIR, ${medium.posts} posts`,
              ...coldRender,
            },
            {
              what: `Eleventy ${VERSIONS['@11ty/eleventy']} with @shikijs/markdown-it ${VERSIONS['@shikijs/markdown-it']} (${THEMES.light} + ${THEMES.dark}) building the same posts into pages, wall time`,
              ...eleventyTimes,
              pages: eleventyPages,
            },
            coldRender.medianMs / eleventyTimes.medianMs,
            '<',
            TARGET.coldRenderOfEleventy,
          ),
    coldRenderVsHugo: {
      measured: { ...coldRender },
      reference: { ...hugoRef(hugoMedium, medium.posts), pages: hugoPages },
      ratio: round3(coldRender.medianMs / hugoMedium.medianMs),
      target: 'none (printed for comparison)',
      pass: null,
    },
    throughput: {
      ...target(
        {
          what: `Quire WORKERS=1, GET ${LARGE_POST_PATH} (cached), requests per second`,
          ...results.quire,
        },
        {
          what: 'Fastify with logger: true (its default request logging) answering the same bytes with the same headers',
          ...results.fastifyLogger,
        },
        ratio(results.quire, results.fastifyLogger),
        '>=',
        TARGET.throughputOfFastifyLogger,
      ),
      cpuEfficiency: cpuEfficiency(cpu.results.fastifyLogger, cpu.results.quire),
      note: "cpuEfficiency: the reference's CPU time per request over Quire's (cpuMicrosPerRequest), the same comparison with most of the shared machine's noise taken out; 1.0 is as cheap as the reference.",
    },
    throughputNginx: nginx,
    srcLines: target(
      { what: 'lines of src/**/*.ts (wc -l)', ...code },
      { lines: TARGET.srcLines },
      code.lines / TARGET.srcLines,
      '<',
      1,
    ),
    ...searchTargets,
  };
  const cpus = os.availableParallelism();
  const floors = {
    coldRender: {
      ...shiki,
      note: `Shiki alone (plain createHighlighter + codeToHtml, grammars loaded and each language used once before timing) over the ${shiki.blocks} code blocks of the ${medium.posts}-post blog; the floor is the cheaper engine's CPU time divided by ${cpus} cores: the least wall time highlighting can take here, before Node starts, Markdown, the cache or any page.`,
    },
    throughput: {
      bare: results.bare,
      bareAccessLine: results.bareLogged,
      quireVsBare: ratio(results.quire, results.bare),
      quireVsBareAccessLine: ratio(results.quire, results.bareLogged),
      bareAccessLineVsFastifyLogger: ratio(results.bareLogged, results.fastifyLogger),
      cpuEfficiency: {
        quire: cpuEfficiency(cpu.results.bare, cpu.results.quire),
        fastifyLogger: cpuEfficiency(cpu.results.bare, cpu.results.fastifyLogger),
        bareAccessLine: cpuEfficiency(cpu.results.bare, cpu.results.bareLogged),
      },
      note: "bare: Fastify answering the same bytes and headers, no logging; bareAccessLine: the same plus #2's one access line per request (pino, synchronous stdout): the most any server writing that line can do here. cpuEfficiency: bare's CPU per request over each server's.",
    },
    memory: {
      oneProcess: idleOne,
      primaryAndWorkers: idleCluster,
      pageCache: {
        small: smallCacheFloor,
        large: largeCacheFloor,
        ratio:
          smallCacheFloor && largeCacheFloor
            ? Math.round(
                ((largeCacheFloor.growthMb - smallCacheFloor.growthMb) / allowanceMb) * 1000,
              ) / 1000
            : null,
        note: `A process that only keeps the crawls' pages (as many, of the same mean size) in an LRU of PAGE_CACHE_MB with a serving process's runtime settings: its RSS growth at ${large.posts} posts over that at ${small.posts}, over the memory target's allowance (${allowanceMb} MB), is the least the memory target's ratio can be.`,
      },
      note: `Idle Fastify + pino processes (a few requests served, no content): the least a serving process (oneProcess) and primary + ${CLUSTER_WORKERS} workers (primaryAndWorkers) can take; startMs is the least a start to ready can take.`,
    },
  };
  const notes = [
    `${cpus} CPUs, shared: autocannon runs in the bench process on the same CPUs as the servers, and other work on the machine takes CPU at random; compare ratios within this run, and on a shared machine prefer cpuMicrosPerRequest and cpuEfficiency to requests per second.`,
    "Throughput: every server answers the same body bytes with the same header fields (Quire's, copied; the request id made per request); headerBytes gives each answer's header bytes. Each server had a 1 s warm-up (which also puts the page in Quire's page cache), then rounds alternated in the order given in \"order\".",
    `Start times are spawn to the first /readyz 200 (polled every 5 ms); Hugo, Eleventy and render are spawn to exit 0, each into an empty output.`,
    "Differences of the references: Hugo highlights with one Chroma style (inline colours), Quire and Eleventy with two Shiki themes at once; Hugo writes RSS feeds, Eleventy Atom, Quire Atom, RSS and JSON Feed; Eleventy's pages have no table of contents (markdown-it gives headings no ids without a plugin).",
  ];

  return {
    benchmark: 'quire (issue #17 targets)',
    date: new Date().toISOString(),
    quick: args.quick,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryMb: Math.round(os.totalmem() / 2 ** 20),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: os.loadavg().map((load) => round1(load)),
    },
    server: args.server,
    render: args.render,
    posts: { small: small.posts, medium: medium.posts, large: large.posts, plusLargePost: 1 },
    pageCacheMb: options.pageCacheMb,
    runs: options.runs,
    references: {
      hugo: hugoVersion,
      eleventy: VERSIONS,
    },
    targets,
    /** Every target met (the Hugo ratio of the cold render has none). */
    allPass: Object.entries(targets).every(
      ([name, t]) => name === 'coldRenderVsHugo' || t.pass === true,
    ),
    floors,
    other: {
      coldRenderMs: { [small.posts]: smallRenderMs, [large.posts]: largeRenderMs },
      warmStartRenderCacheMisses: {
        [medium.posts]: warmMediumRenders,
        [large.posts]: warmLargeRenders,
      },
      largeAfterReadyByRun: largeReady,
      throughput: {
        path: LARGE_POST_PATH,
        bytes: page.body.length,
        headerBytes,
        connections: options.connections,
        durationSec: options.durationSec,
        order: throughput.order,
        ...results,
      },
      cpuMicrosPerRequest: {
        requestsPerRun: options.cpuRequests,
        rounds: options.cpuRounds,
        clockTicksPerSec: ticksPerSec,
        order: cpu.order,
        ...cpu.results,
      },
      nginx: nginxReport,
    },
    notes,
    sigtermExits,
    sigtermAllExitedZero: Object.values(sigtermExits).every((o) => o === 'exited with code 0'),
    warnings,
  };
}

try {
  const report = args.only === 'search' ? await searchOnly() : await main();
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} catch (error) {
  log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(overall);
  killAll();
}
