/**
 * `npm run bench`: how fast Quire starts (cold and warm cache), how much memory
 * it takes, and how its request throughput compares with a bare Fastify server.
 * A benchmark, not a test: it prints one JSON object on stdout (progress on
 * stderr) and exits 0 whether or not the targets are met; 1 if it could not run.
 *
 *   npm run bench -- [--posts 1000] [--duration 5] [--connections 20] [--rounds 2]
 *                    [--warm-runs 3] [--server src/server.ts] [--timeout 600] [--keep]
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
  type LoadResult,
  loadTest,
  peakRssTree,
  readJsonLines,
  type ServerProcess,
  startServer,
  stopServer,
  waitForOk,
} from './measure.ts';

const ROOT = join(import.meta.dirname, '..');
const READY_TIMEOUT_MS = 120_000;
const LARGE_POST_PATH = `/posts/${LARGE_POST_SLUG}`;
const REFERENCE = {
  coldStartMs: 2500,
  coldStartNote: 'Hugo 0.111 took ~2.5 s to build 1000 such posts on this machine',
  warmFractionOfCold: 0.25,
  ratio: 0.9,
};

const { values: args } = parseArgs({
  options: {
    posts: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '2' },
    'warm-runs': { type: 'string', default: '3' },
    server: { type: 'string', default: 'src/server.ts' },
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
  warmRuns: positive('warm-runs', 10),
  timeoutSec: positive('timeout', 3600),
};

const log = (message: string) => process.stderr.write(`bench: ${message}\n`);
const round1 = (value: number) => Math.round(value * 10) / 10;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

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

  const startQuire = async (name: string) => {
    const port = await freePort();
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
        LOG_LEVEL: 'info',
      },
    });
    const startMs = await waitForOk(server, '/readyz', started, READY_TIMEOUT_MS);
    return { server, startMs: round1(startMs), loaded: siteLoaded(server) };
  };
  const stopQuire = async (server: ServerProcess) => {
    const outcome = await stopServer(server);
    if (outcome !== 'exited with code 0') warnings.push(`${server.name} on SIGTERM: ${outcome}`);
  };

  // 1. Cold start: empty cache, everything is rendered.
  log('cold start (empty cache)');
  const cold = await startQuire('quire-cold');
  const page = await httpGet(`${cold.server.baseUrl}${LARGE_POST_PATH}`, 5000);
  if (page.status !== 200) throw new Error(`GET ${LARGE_POST_PATH} answered ${page.status}`);
  const sample = slugs[0] as string;
  const samplePage = await httpGet(`${cold.server.baseUrl}/posts/${sample}`, 5000);
  if (samplePage.status !== 200)
    throw new Error(`GET /posts/${sample} answered ${samplePage.status}`);
  const coldPeak = peakRssTree(cold.server.pid);
  await stopQuire(cold.server);
  const cacheEntries = (await readdir(cacheDir)).filter((name) => name.endsWith('.json')).length;
  log(
    `cold start ${cold.startMs} ms, ${JSON.stringify(cold.loaded)}, ${cacheEntries} cache entries`,
  );
  if (cold.loaded.rendered !== slugs.length) {
    warnings.push(`cold start rendered ${cold.loaded.rendered} of ${slugs.length} posts`);
  }

  // 2. Warm starts: same posts, full cache; nothing should be rendered. The last one stays up.
  const warm: Awaited<ReturnType<typeof startQuire>>[] = [];
  for (let run = 1; run <= options.warmRuns; run++) {
    log(`warm start ${run}/${options.warmRuns}`);
    const started = await startQuire(`quire-warm-${run}`);
    warm.push(started);
    if (started.loaded.rendered !== 0) {
      warnings.push(`warm start ${run} rendered ${started.loaded.rendered} posts (expected 0)`);
    }
    if (run < options.warmRuns) await stopQuire(started.server);
  }
  const quire = (warm.at(-1) as (typeof warm)[number]).server;

  // 3. Throughput: the same page from Quire and from a bare Fastify server of the same size.
  const bytes = page.body.length;
  if (Math.abs(bytes - 20_480) > 10_240) {
    warnings.push(`${LARGE_POST_SLUG} page is ${bytes} bytes, far from the intended ~20 KB`);
  }
  const barePort = await freePort();
  const bareStarted = performance.now();
  const bare = startServer({
    name: 'bare',
    args: ['bench/bare-server.ts', '--port', String(barePort), '--bytes', String(bytes)],
    cwd: ROOT,
    port: barePort,
    logDir,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  await waitForOk(bare, LARGE_POST_PATH, bareStarted, 30_000);
  const barePage = await httpGet(`${bare.baseUrl}${LARGE_POST_PATH}`, 5000);
  if (barePage.body.length !== bytes)
    throw new Error(`bare server sent ${barePage.body.length} bytes, not ${bytes}`);

  const targets = {
    quire: `${quire.baseUrl}${LARGE_POST_PATH}`,
    bare: `${bare.baseUrl}${LARGE_POST_PATH}`,
  };
  log('warm-up: 1 s each');
  await loadTest(targets.quire, 1, options.connections);
  await loadTest(targets.bare, 1, options.connections);
  const runs: Record<'quire' | 'bare', LoadResult[]> = { quire: [], bare: [] };
  const order: string[] = [];
  for (let r = 1; r <= options.rounds; r++) {
    for (const name of ['quire', 'bare'] as const) {
      log(
        `round ${r}/${options.rounds}: ${name}, ${options.durationSec} s, ${options.connections} connections`,
      );
      const result = await loadTest(targets[name], options.durationSec, options.connections);
      runs[name].push(result);
      order.push(name);
      if (result.errors > 0 || result.non2xx > 0) {
        warnings.push(
          `${name} round ${r}: ${result.errors} errors, ${result.non2xx} non-2xx responses`,
        );
      }
    }
  }
  const warmPeak = peakRssTree(quire.pid);
  await stopQuire(quire);
  await stopServer(bare);

  // 4. The report.
  const summarize = (results: LoadResult[]) => ({
    requestsPerSec: Math.round(mean(results.map((r) => r.requestsPerSec))),
    runs: results.map((r) => r.requestsPerSec),
    latencyMeanMs: Math.round(mean(results.map((r) => r.latencyMeanMs)) * 100) / 100,
    latencyP99Ms: round1(mean(results.map((r) => r.latencyP99Ms))),
  });
  const quireThroughput = summarize(runs.quire);
  const bareThroughput = summarize(runs.bare);
  const ratio =
    Math.round((quireThroughput.requestsPerSec / bareThroughput.requestsPerSec) * 1000) / 1000;
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
    warnings.push(`--posts ${options.posts}: the Hugo reference is for 1000 posts`);

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
      connections: options.connections,
      durationSec: options.durationSec,
      order,
      quire: quireThroughput,
      bare: bareThroughput,
    },
    ratio,
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
      ratio: { target: `>= ${REFERENCE.ratio}`, met: ratio >= REFERENCE.ratio },
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
