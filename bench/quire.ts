/**
 * Quire as the bench sees it: the built programs (dist/server.js, dist/cli/render.js) started
 * with settings from the environment, and measured by their public behaviour only: how long
 * until /readyz answers 200 (and, for a cluster, every worker has logged Fastify's "Server
 * listening" line), the process tree's memory from /proc, the render counters of /metrics, and
 * the exit of `render`. Nothing here reads the render cache or knows how the server loads posts.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  freePort,
  httpGet,
  runToExit,
  type ServerProcess,
  startServer,
  waitForLogLines,
  waitForOk,
} from './measure.ts';

/** SITE_URL of every Quire the bench starts, so that `render` and the servers agree on it. */
export const SITE_URL = 'http://quire.bench';

export interface QuireOptions {
  root: string;
  /** The server's entry point, relative to `root` (dist/server.js). */
  server: string;
  /** The render command's entry point, relative to `root` (dist/cli/render.js). */
  render: string;
  logDir: string;
  pageCacheMb: number;
}

export interface Site {
  postsDir: string;
  cacheDir: string;
}

const env = (options: QuireOptions, site: Site, extra: Record<string, string>) => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  NODE_ENV: 'production',
  POSTS_DIR: site.postsDir,
  CACHE_DIR: site.cacheDir,
  SITE_URL,
  PAGE_CACHE_MB: String(options.pageCacheMb),
  ...extra,
});

/**
 * `npm run render` as the image build runs it, into an empty CACHE_DIR (emptied first): the
 * wall time from spawn to exit 0.
 */
export async function renderCold(
  options: QuireOptions,
  site: Site,
  name: string,
  timeoutMs: number,
): Promise<number> {
  await rm(site.cacheDir, { recursive: true, force: true });
  await mkdir(site.cacheDir, { recursive: true });
  const { ms } = await runToExit(
    {
      name,
      args: [options.render],
      cwd: options.root,
      env: env(options, site, { LOG_LEVEL: 'warn' }),
      logDir: options.logDir,
    },
    timeoutMs,
  );
  if ((await readdir(site.cacheDir)).length === 0) {
    throw new Error(`${name} exited 0 but left ${site.cacheDir} empty`);
  }
  return ms;
}

export interface Started {
  server: ServerProcess;
  metricsUrl: string;
  /** Spawn to /readyz 200 (and every worker listening), in ms. */
  startMs: number;
}

const isListening = (line: Record<string, unknown>) =>
  typeof line.msg === 'string' && line.msg.startsWith('Server listening at');

/** Starts Quire on `site` with WORKERS=`workers`; resolves once it is ready. */
export async function startQuire(
  options: QuireOptions,
  site: Site,
  name: string,
  { workers = 1, timeoutMs = 120_000 } = {},
): Promise<Started> {
  const port = await freePort();
  const metricsPort = await freePort();
  const started = performance.now();
  const server = startServer({
    name,
    args: [options.server],
    cwd: options.root,
    port,
    logDir: options.logDir,
    env: env(options, site, {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      WORKERS: String(workers),
      METRICS_PORT: String(metricsPort),
      SHUTDOWN_DELAY_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '3000',
    }),
  });
  await waitForOk(server, '/readyz', started, timeoutMs);
  // With 2 workers the first one up answers /readyz before the second listens.
  if (workers > 1) await waitForLogLines(server, isListening, workers, timeoutMs);
  return {
    server,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    startMs: Math.round((performance.now() - started) * 10) / 10,
  };
}

/**
 * A counter of /metrics (README, "Metrics"), e.g. `quire_render_cache_misses_total`; null when
 * the server does not expose it.
 */
export async function metric(metricsUrl: string, name: string): Promise<number | null> {
  try {
    const { status, body } = await httpGet(metricsUrl, 5000);
    if (status !== 200) return null;
    const line = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(body.toString('utf8'));
    return line ? Number(line[1]) : null;
  } catch {
    return null;
  }
}

/** Lines of every .ts file under `dir`, counted as `wc -l` does (newlines). */
export async function tsLines(dir: string): Promise<{ files: number; lines: number }> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile() && entry.name.endsWith('.ts'));
  let lines = 0;
  for (const file of files) {
    const text = await readFile(join(file.parentPath, file.name), 'utf8');
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  }
  return { files: files.length, lines };
}
