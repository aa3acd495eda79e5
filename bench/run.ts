/**
 * `npm run bench`: how fast Quire starts (cold and warm cache), how much memory
 * it takes, and the request throughput of a post page from Quire with
 * WORKERS=1, Quire with WORKERS=1 and no access log (LOG_LEVEL=warn), Quire with
 * WORKERS=2 (cluster primary + 2 workers) and a bare Fastify constant route,
 * measured in alternating rounds of the same run, with their ratios; then the
 * CPU time each server uses per request (a fixed number of requests each, in
 * alternating rounds), the figure to compare on a shared machine; plus the
 * memory of the cluster (primary + workers), RSS summed and PSS, when ready
 * and after the load; and the floors (floors.ts): what Shiki alone, the access
 * line alone and idle Node processes cost, measured in the same run.
 * It runs the compiled server that production runs (`npm run bench` builds it
 * first): running .ts sources makes every process load Node's TypeScript
 * stripper, ~18 MB of RSS each.
 * Every server is stopped with SIGTERM and how each one exited is reported.
 * A benchmark, not a test: it prints one JSON object on stdout (progress on
 * stderr) and exits 0 whether or not the targets are met; 1 if it could not run.
 *
 *   npm run bench -- [--posts 1000] [--duration 5] [--connections 20] [--rounds 2]
 *                    [--cpu-requests 40000] [--cpu-rounds 3]
 *                    [--warm-runs 3] [--server dist/server.js] [--timeout 600] [--keep]
 *
 * Every step is bounded in time, everything runs on 127.0.0.1, and every child
 * process is killed on the way out, whatever happens.
 */

import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generatePosts, LARGE_POST_SLUG } from './generate-posts.ts';
import {
  freePort,
  httpGet,
  killAll,
  clockTicksPerSecond,
  peakRssTree,
  pssTree,
  readJsonLines,
  rssTree,
  type ServerProcess,
  startServer,
  stopServer,
  waitForLogLines,
  waitForOk,
} from './measure.ts';
import { idleProcessesRss, shikiAlone, startBare } from './floors.ts';
import { BUSY_CORES, compareCpu, compareThroughput, cpuEfficiency, ratio } from './throughput.ts';

const ROOT = join(import.meta.dirname, '..');
const READY_TIMEOUT_MS = 120_000;
const LARGE_POST_PATH = `/posts/${LARGE_POST_SLUG}`;
const REFERENCE = {
  coldStartMs: 2500,
  coldStartNote: 'Hugo 0.111 took ~2.5 s to build 1000 such posts on this machine',
  warmFractionOfCold: 0.25,
  ratio: 0.9,
  clusterRssMb: 300,
};
const CLUSTER_WORKERS = 2;
const isListening = (line: Record<string, unknown>) =>
  typeof line.msg === 'string' && line.msg.startsWith('Server listening at');

const { values: args } = parseArgs({
  options: {
    posts: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '2' },
    'cpu-requests': { type: 'string', default: '40000' },
    'cpu-rounds': { type: 'string', default: '3' },
    'warm-runs': { type: 'string', default: '3' },
    server: { type: 'string', default: 'dist/server.js' },
    timeout: { type: 'string', default: '600' },
    keep: { type: 'boolean', default: false },
  },
});
const positive = (name: keyof typeof args, max: number): number => {
  const value = Number(args[name]);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`--${name} must be a whole number from 1 to ${max} (got ${args[name]})`);
  }
  return value;
};
const options = {
  posts: positive('posts', 100_000),
  durationSec: positive('duration', 60),
  connections: positive('connections', 200),
  rounds: positive('rounds', 10),
  cpuRequests: positive('cpu-requests', 1_000_000),
  cpuRounds: positive('cpu-rounds', 10),
  warmRuns: positive('warm-runs', 10),
  timeoutSec: positive('timeout', 3600),
};
if (options.cpuRequests < options.connections) {
  throw new Error(
    `--cpu-requests (${options.cpuRequests}) must be at least --connections (${options.connections})`,
  );
}

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const round1 = (value: number) => Math.round(value * 10) / 10;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

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

interface SiteLoaded {
  posts: number;
  rendered: number;
  cached: number;
  ms: number;
}

/** The `quire` fields of the "site loaded" log line. */
function siteLoaded(server: ServerProcess): SiteLoaded {
  const line = readJsonLines(server.stdoutFile).find((entry) => entry.msg === 'site loaded');
  const fields = line?.quire as Partial<SiteLoaded> | undefined;
  if (!fields || typeof fields.ms !== 'number' || typeof fields.rendered !== 'number') {
    throw new Error(
      `${server.name} logged no "site loaded" line with quire.{posts,rendered,cached,ms}`,
    );
  }
  return fields as SiteLoaded;
}

/** The `quire` fields of the "pages rendered" log line. */
function pagesRendered(server: ServerProcess): { pages: number; bytes: number } {
  const line = readJsonLines(server.stdoutFile).find((entry) => entry.msg === 'pages rendered');
  const fields = line?.quire as { pages?: unknown; bytes?: unknown } | undefined;
  if (typeof fields?.pages !== 'number' || typeof fields.bytes !== 'number') {
    throw new Error(`${server.name} logged no "pages rendered" line with quire.{pages,bytes}`);
  }
  return { pages: fields.pages, bytes: fields.bytes };
}

async function main() {
  const warnings: string[] = [];
  // Other work on the machine skews every number here; the load average says how much there was.
  const loadAtStart = os.loadavg().map((load) => round1(load));
  const postsDir = join(workDir, 'posts');
  const cacheDir = join(workDir, 'cache');
  const logDir = join(workDir, 'logs');
  await mkdir(cacheDir, { recursive: true });
  await mkdir(logDir, { recursive: true });

  log(`generating ${options.posts} posts + ${LARGE_POST_SLUG} in ${postsDir}`);
  const slugs = await generatePosts(postsDir, options.posts);

  /**
   * Starts Quire with an explicit WORKERS and its own METRICS_PORT; ready when
   * /readyz answers 200 and, for a cluster, every worker logged "Server listening".
   */
  const startQuire = async (name: string, { workers = 1, logLevel = 'info' } = {}) => {
    const port = await freePort();
    const metricsPort = await freePort();
    const started = performance.now();
    const server = startServer({
      name,
      args: [args.server],
      cwd: ROOT,
      port,
      logDir,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PORT: String(port),
        HOST: '127.0.0.1',
        POSTS_DIR: postsDir,
        CACHE_DIR: cacheDir,
        LOG_LEVEL: logLevel,
        WORKERS: String(workers),
        METRICS_PORT: String(metricsPort),
        SHUTDOWN_DELAY_MS: '0',
        SHUTDOWN_TIMEOUT_MS: '3000',
      },
    });
    await waitForOk(server, '/readyz', started, READY_TIMEOUT_MS);
    // With 2 workers the first one up answers /readyz before the second listens.
    if (workers > 1) await waitForLogLines(server, isListening, workers, READY_TIMEOUT_MS);
    return { server, startMs: round1(performance.now() - started) };
  };
  /** How every server ended on SIGTERM, by name. */
  const sigtermExits: Record<string, string> = {};
  const stop = async (server: ServerProcess) => {
    const outcome = await stopServer(server);
    sigtermExits[server.name] = outcome;
    if (outcome !== 'exited with code 0') warnings.push(`${server.name} on SIGTERM: ${outcome}`);
  };

  // 1. Cold start: empty cache, everything is rendered.
  log('cold start (empty cache)');
  const coldStarted = await startQuire('quire-cold');
  const cold = { ...coldStarted, loaded: siteLoaded(coldStarted.server) };
  const page = await httpGet(`${cold.server.baseUrl}${LARGE_POST_PATH}`, 5000);
  if (page.status !== 200) throw new Error(`GET ${LARGE_POST_PATH} answered ${page.status}`);
  const sample = slugs[0] as string;
  const samplePage = await httpGet(`${cold.server.baseUrl}/posts/${sample}`, 5000);
  if (samplePage.status !== 200)
    throw new Error(`GET /posts/${sample} answered ${samplePage.status}`);
  const coldPeak = peakRssTree(cold.server.pid);
  await stop(cold.server);
  const cacheEntries = (await readdir(cacheDir)).filter((name) => name.endsWith('.json')).length;
  log(
    `cold start ${cold.startMs} ms, ${JSON.stringify(cold.loaded)}, ${cacheEntries} cache entries`,
  );
  if (cold.loaded.rendered !== slugs.length) {
    warnings.push(`cold start rendered ${cold.loaded.rendered} of ${slugs.length} posts`);
  }

  // 2. Warm starts: same posts, full cache; nothing should be rendered. The last one stays up.
  const warm: (typeof cold)[] = [];
  for (let run = 1; run <= options.warmRuns; run++) {
    log(`warm start ${run}/${options.warmRuns}`);
    const server = await startQuire(`quire-warm-${run}`);
    const started = { ...server, loaded: siteLoaded(server.server) };
    warm.push(started);
    if (started.loaded.rendered !== 0) {
      warnings.push(`warm start ${run} rendered ${started.loaded.rendered} posts (expected 0)`);
    }
    if (run < options.warmRuns) await stop(started.server);
  }
  const single = (warm.at(-1) as (typeof warm)[number]).server;

  // 3. The other servers for the throughput comparison, all up at once.
  const bytes = page.body.length;
  if (Math.abs(bytes - 20_480) > 10_240) {
    warnings.push(`${LARGE_POST_SLUG} page is ${bytes} bytes, far from the intended ~20 KB`);
  }
  log('quire with LOG_LEVEL=warn (no access log)');
  const quiet = (await startQuire('quire-no-access-log', { logLevel: 'warn' })).server;
  log(`cluster: WORKERS=${CLUSTER_WORKERS}`);
  const cluster = await startQuire('quire-cluster', { workers: CLUSTER_WORKERS });
  const clusterAfterReady = rssTree(cluster.server.pid);
  const clusterPssAfterReady = pssTree(cluster.server.pid);
  if (clusterAfterReady.processesMb.length !== CLUSTER_WORKERS + 1) {
    warnings.push(
      `cluster had ${clusterAfterReady.processesMb.length} processes when ready, expected primary + ${CLUSTER_WORKERS} workers`,
    );
  }
  const bareOptions = { root: ROOT, logDir, bytes, path: LARGE_POST_PATH };
  const bare = await startBare({ ...bareOptions, name: 'bare', log: false });
  const bareLogged = await startBare({ ...bareOptions, name: 'bare-logged', log: true });
  const servers = { single, singleNoAccessLog: quiet, cluster: cluster.server, bare, bareLogged };
  /** Header bytes of each server's answer (field lines as sent, less the status line). */
  const headerBytes: Record<string, number> = {};
  for (const [name, server] of Object.entries(servers)) {
    const served = await httpGet(`${server.baseUrl}${LARGE_POST_PATH}`, 5000);
    if (served.status !== 200 || served.body.length !== bytes) {
      throw new Error(`${name} answered ${served.status} with ${served.body.length} bytes`);
    }
    headerBytes[name] = Object.entries(served.headers).reduce(
      (sum, [field, value]) => sum + `${field}: ${String(value)}\r\n`.length,
      0,
    );
  }

  // 4. Throughput: the same page from each, in alternating rounds.
  const targets = {
    single: `${single.baseUrl}${LARGE_POST_PATH}`,
    singleNoAccessLog: `${quiet.baseUrl}${LARGE_POST_PATH}`,
    cluster: `${cluster.server.baseUrl}${LARGE_POST_PATH}`,
    bare: `${bare.baseUrl}${LARGE_POST_PATH}`,
    bareLogged: `${bareLogged.baseUrl}${LARGE_POST_PATH}`,
  };
  const throughput = await compareThroughput(targets, {
    rounds: options.rounds,
    durationSec: options.durationSec,
    connections: options.connections,
    warmupSec: 1,
    log,
  });
  warnings.push(...throughput.warnings);

  // 5. CPU time per request: the same page, a fixed number of requests each, in alternating rounds.
  const ticksPerSec = clockTicksPerSecond();
  const cpu = await compareCpu(
    {
      single: { url: targets.single, pid: single.pid },
      singleNoAccessLog: { url: targets.singleNoAccessLog, pid: quiet.pid },
      cluster: { url: targets.cluster, pid: cluster.server.pid },
      bare: { url: targets.bare, pid: bare.pid },
      bareLogged: { url: targets.bareLogged, pid: bareLogged.pid },
    },
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
  const clusterAfterLoad = rssTree(cluster.server.pid);
  const clusterPssAfterLoad = pssTree(cluster.server.pid);
  const warmPeak = peakRssTree(single.pid);
  const pageBytes = pagesRendered(single).bytes;
  for (const server of Object.values(servers)) await stop(server);

  const cpus = os.availableParallelism();
  // 6. Floors (floors.ts), measured last, with no server running.
  log('floors: Shiki alone over the same code blocks');
  const shiki = await shikiAlone(ROOT, postsDir);
  log(`floors: ${CLUSTER_WORKERS + 1} idle bare processes`);
  const idle = await idleProcessesRss(CLUSTER_WORKERS + 1, bareOptions);
  const floors = {
    coldStart: {
      ...shiki,
      note: `Shiki alone (plain createHighlighter + codeToHtml, grammars loaded and each language used once before timing) over the ${shiki.blocks} code blocks of the same posts; floorMs is the cheaper engine's CPU time divided by ${cpus} cores: the least wall time highlighting can take here, before Node starts, Markdown, the cache or the server.`,
    },
    clusterRss: {
      idleProcesses: idle,
      pageBytesPerWorker: pageBytes,
      floorMb: Math.round((idle.totalMb + (CLUSTER_WORKERS * pageBytes) / 2 ** 20) * 10) / 10,
      note: `RSS of ${CLUSTER_WORKERS + 1} idle bare Fastify servers (pino loaded, a few requests served, no content), plus the bytes of the pages each of the ${CLUSTER_WORKERS} workers keeps in memory: the least a cluster that holds its pages can take, before any site model, template or V8 heap growth.`,
    },
  };

  // 7. The report.
  const { results } = throughput;
  const ratios = {
    clusterVsSingle: ratio(results.cluster, results.single),
    clusterVsBare: ratio(results.cluster, results.bare),
    singleVsBare: ratio(results.single, results.bare),
    singleVsBareNoAccessLog: ratio(results.singleNoAccessLog, results.bare),
    bareLoggedVsBare: ratio(results.bareLogged, results.bare),
    singleVsBareLogged: ratio(results.single, results.bareLogged),
  };
  const notes = [
    `${cpus} CPUs: autocannon runs in the bench process on the same CPUs as the servers, so the load generator competes with the server it measures${cpus <= CLUSTER_WORKERS ? `; with ${CLUSTER_WORKERS} workers the CPUs are oversubscribed and clusterVsSingle understates what a second worker gives on a machine with cores to spare` : ''}.`,
    'singleNoAccessLog is WORKERS=1 with LOG_LEVEL=warn (no access-log line per request); singleVsBareNoAccessLog against singleVsBare is the cost of the synchronous access-log write.',
    'Each server had a 1 s warm-up, then rounds alternated in the order given in "order".',
    `Like for like: every server answers the same ${bytes}-byte body (bare sends a constant string of that length; Quire its pre-rendered page, a Buffer). The headers differ: "headerBytes" gives each answer's header fields in bytes; Quire's carry the security headers, ETag, Last-Modified, Cache-Control and X-Request-Id that every page response must have, which the bare route does not send.`,
    'On a shared machine compare cpuMicrosPerRequest and cpuEfficiency, not these requests per second. Requests per second measure how much CPU a server was given as well as how much it needs: other work on the machine, and autocannon itself (it runs in the bench process on the same CPUs), take CPU away from the server at random, so the same server can measure far apart from one round to the next. CPU time per request (the user + system time the server used, from /proc/<pid>/stat, divided by the requests it answered) counts only the work the server did, however long it waited for a CPU, so it barely moves with the noise; 1e6 / cpuMicrosPerRequest is the requests per second one dedicated core would sustain.',
  ];
  const cpuResults = cpu.results;
  const efficiency = {
    single: cpuEfficiency(cpuResults.bare, cpuResults.single),
    singleNoAccessLog: cpuEfficiency(cpuResults.bare, cpuResults.singleNoAccessLog),
    cluster: cpuEfficiency(cpuResults.bare, cpuResults.cluster),
    /** The ceiling for any server that writes #2's access line: bare plus that line alone. */
    bareLogged: cpuEfficiency(cpuResults.bare, cpuResults.bareLogged),
    /** Quire against that ceiling: 1.0 is a server that costs only the bare route and its line. */
    singleVsBareLogged: cpuEfficiency(cpuResults.bareLogged, cpuResults.single),
  };
  const tickResolution = Math.round((1e6 / ticksPerSec / options.cpuRequests) * 1000) / 1000;
  const cpuNotes = [
    `Each run sends exactly ${options.cpuRequests} requests over ${options.connections} connections (autocannon "amount"), after the warm-up and the throughput rounds, alternating in the order given in "order"; "runs" is each round in µs per request, "median" their median. The clock has ${ticksPerSec} ticks per second, so one tick is ${tickResolution} µs per request of a run (the cluster sums ${CLUSTER_WORKERS + 1} processes, so up to ${CLUSTER_WORKERS + 1} ticks of rounding).`,
    `cluster sums the CPU of the primary and every worker (the whole process tree): what the machine pays per request, including the primary and the IPC, not how much faster it answers. cpuEfficiency is bare's median divided by the server's: 1.0 is as cheap per request as the bare Fastify route, 0.8 takes 25% more CPU.`,
    `Noise is much smaller than in requests per second but not gone: when other processes compete for the ${cpus} CPUs the server's CPU per request rises too (caches, and fewer requests handled per wake-up when autocannon is starved). "otherCpuCores" is, per round, the CPU the rest of the machine used meanwhile (machine busy time from /proc/stat minus the server and the bench process), in cores; rounds above ${BUSY_CORES} are listed in "warnings". Compare on rounds with little of it; "min" is the round least inflated.`,
    'CPU per request does not show waiting: latency, queueing and how the cluster scales with free cores are in the requests-per-second figures, to be read on a quiet machine.',
  ];
  const clusterRssMb = {
    afterReady: clusterAfterReady.totalMb ?? null,
    afterLoad: clusterAfterLoad.totalMb ?? null,
    processesMbAfterReady: clusterAfterReady.processesMb,
    processesMbAfterLoad: clusterAfterLoad.processesMb,
  };
  const clusterPssMb = {
    afterReady: clusterPssAfterReady.totalMb ?? null,
    afterLoad: clusterPssAfterLoad.totalMb ?? null,
    processesMbAfterReady: clusterPssAfterReady.processesMb,
    processesMbAfterLoad: clusterPssAfterLoad.processesMb,
    note: 'Sum of Pss from /proc/<pid>/smaps_rollup over primary and workers: a page shared by several processes (the Node binary, copy-on-write memory from the fork) is split between them, so it counts once overall; clusterRssMb counts it once per process.',
  };
  if (clusterPssMb.afterReady === null) {
    warnings.push('cluster PSS unavailable (no /proc/<pid>/smaps_rollup)');
  }
  const clusterRssMax = Math.max(
    clusterRssMb.afterReady ?? Infinity,
    clusterRssMb.afterLoad ?? Infinity,
  );
  const clusterRssMet = clusterRssMax < REFERENCE.clusterRssMb;
  const warmStartMs = round1(median(warm.map((w) => w.startMs)));
  const peaks = [coldPeak.mb, warmPeak.mb].filter((mb) => mb !== undefined);
  for (const [run, peak] of [
    ['cold', coldPeak],
    ['warm', warmPeak],
  ] as const) {
    if (peak.children > 0) {
      warnings.push(
        `${run} run: Quire had ${peak.children} child processes (peak RSS ${peak.childrenMb} MB together), not counted in peakRssMb`,
      );
    }
  }
  if (options.posts !== 1000)
    warnings.push(
      `--posts ${options.posts}: the Hugo reference and the cluster RSS target are for 1000 posts`,
    );

  return {
    benchmark: 'quire',
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      memoryMb: Math.round(os.totalmem() / 2 ** 20),
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      loadAverageAtStart: loadAtStart,
    },
    server: args.server,
    posts: options.posts,
    postsLoaded: cold.loaded.posts,
    coldStartMs: cold.startMs,
    warmStartMs,
    warmStartRunsMs: warm.map((w) => w.startMs),
    renderMsPerPost:
      cold.loaded.rendered > 0
        ? Math.round((cold.loaded.ms / cold.loaded.rendered) * 100) / 100
        : null,
    siteLoaded: { cold: cold.loaded, warm: (warm.at(-1) as (typeof warm)[number]).loaded },
    cacheEntries,
    peakRssMb: peaks.length > 0 ? Math.max(...peaks) : null,
    peakRssMbByRun: { cold: coldPeak.mb ?? null, warmAfterLoad: warmPeak.mb ?? null },
    throughput: {
      path: LARGE_POST_PATH,
      bytes,
      headerBytes,
      connections: options.connections,
      durationSec: options.durationSec,
      order: throughput.order,
      notes,
      ...results,
    },
    cpuMicrosPerRequest: {
      path: LARGE_POST_PATH,
      requestsPerRun: options.cpuRequests,
      connections: options.connections,
      rounds: options.cpuRounds,
      clockTicksPerSec: ticksPerSec,
      order: cpu.order,
      notes: cpuNotes,
      ...cpuResults,
    },
    cpuEfficiency: efficiency,
    ratio: ratios.singleVsBare,
    ratios,
    floors,
    clusterWorkers: CLUSTER_WORKERS,
    clusterStartMs: cluster.startMs,
    clusterRssMb,
    clusterPssMb,
    clusterRssTarget: `< ${REFERENCE.clusterRssMb}`,
    clusterRssMet,
    sigtermExits,
    sigtermAllExitedZero: Object.values(sigtermExits).every((o) => o === 'exited with code 0'),
    targets: {
      coldStartMs: {
        target: `<= ${REFERENCE.coldStartMs}`,
        met: cold.startMs <= REFERENCE.coldStartMs,
        reference: REFERENCE.coldStartNote,
      },
      warmStartMs: {
        target: `< coldStartMs / 4 = ${round1(cold.startMs * REFERENCE.warmFractionOfCold)}`,
        met: warmStartMs < cold.startMs * REFERENCE.warmFractionOfCold,
      },
      ratio: { target: `>= ${REFERENCE.ratio}`, met: ratios.singleVsBare >= REFERENCE.ratio },
      clusterRssMb: { target: `< ${REFERENCE.clusterRssMb}`, met: clusterRssMet },
    },
    warnings,
  };
}

try {
  const report = await main();
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} catch (error) {
  log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(overall);
  killAll();
}
