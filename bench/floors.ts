/**
 * Floors: what a requirement of issues #2 and #5 costs on its own, with nothing of Quire's,
 * measured in the same run as Quire (a ratio on this machine, never a figure from another run).
 * Each one says how close a target can come at best:
 *
 * - cold start: Shiki alone highlighting the posts' code blocks (shiki-alone.ts), its CPU time
 *   spread perfectly over every core: no Node start, no Markdown, no cache, no server;
 * - throughput: the bare Fastify route plus the one access-log line per request that #2 asks for
 *   (bare-server.ts --log), against the bare route: run by run.ts beside the others;
 * - cluster memory: as many idle Node processes as the cluster has (primary + workers), each with
 *   Fastify and pino loaded and one request served, holding no content at all, plus the bytes of
 *   the pages each worker must keep in memory (#2: "kept in memory").
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { promisify } from 'node:util';
import {
  freePort,
  httpGet,
  rssTree,
  startServer,
  stopServer,
  waitForOk,
  type ServerProcess,
} from './measure.ts';

const run = promisify(execFile);

export interface ShikiAlone {
  blocks: number;
  lines: number;
  langs: string[];
  runs: Record<string, { oneThemeCpuMs: number; twoThemesCpuMs: number }>;
  /** The cheaper engine's two-theme CPU time over every core: the least wall time it can take. */
  twoThemesFloorMs: number;
  oneThemeFloorMs: number;
}

export async function shikiAlone(root: string, postsDir: string): Promise<ShikiAlone> {
  const { stdout } = await run(process.execPath, ['bench/shiki-alone.ts', postsDir], {
    cwd: root,
    timeout: 300_000,
    maxBuffer: 1 << 20,
  });
  const result = JSON.parse(stdout) as Omit<ShikiAlone, 'twoThemesFloorMs' | 'oneThemeFloorMs'>;
  const cores = os.availableParallelism();
  const best = (key: 'oneThemeCpuMs' | 'twoThemesCpuMs') =>
    Math.round(Math.min(...Object.values(result.runs).map((engine) => engine[key])) / cores);
  return {
    ...result,
    twoThemesFloorMs: best('twoThemesCpuMs'),
    oneThemeFloorMs: best('oneThemeCpuMs'),
  };
}

/** Starts the bare reference server (bare-server.ts), ready to answer `path`. */
export async function startBare(options: {
  name: string;
  root: string;
  logDir: string;
  bytes: number;
  path: string;
  log: boolean;
}): Promise<ServerProcess> {
  const port = await freePort();
  const started = performance.now();
  const server = startServer({
    name: options.name,
    args: [
      'bench/bare-server.ts',
      '--port',
      String(port),
      '--bytes',
      String(options.bytes),
      ...(options.log ? ['--log'] : []),
    ],
    cwd: options.root,
    port,
    logDir: options.logDir,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  await waitForOk(server, options.path, started, 30_000);
  return server;
}

export interface IdleRss {
  processes: number;
  processesMb: number[];
  totalMb: number;
}

/**
 * An idle server for the memory floor: Fastify and pino, one route sending a constant page, one
 * log line per request. Plain JavaScript run with `-e`, as production runs compiled JavaScript:
 * running a .ts file makes Node load its TypeScript stripper, about 18 MB more per process.
 */
const IDLE_SERVER = `
import Fastify from 'fastify';
import pino from 'pino';
const logger = pino({ nestedKey: 'quire' }, pino.destination({ dest: 1, sync: true }));
const body = 'x'.repeat(Number(process.env.BYTES));
const app = Fastify();
app.get(process.env.ROUTE, (request, reply) => { reply.type('text/html; charset=utf-8').send(body); });
app.addHook('onResponse', (request, reply, done) => {
  logger.info({ requestId: request.id, statusCode: reply.statusCode }, 'request completed');
  done();
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => process.exit(0));
`;

/** RSS of `count` idle servers (IDLE_SERVER), each having served a few requests. */
export async function idleProcessesRss(
  count: number,
  options: { root: string; logDir: string; bytes: number; path: string },
): Promise<IdleRss> {
  const servers: ServerProcess[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const started = performance.now();
      const server = startServer({
        name: `idle-${i}`,
        args: ['--input-type=module', '-e', IDLE_SERVER],
        cwd: options.root,
        port,
        logDir: options.logDir,
        env: {
          ...process.env,
          NODE_ENV: 'production',
          PORT: String(port),
          BYTES: String(options.bytes),
          ROUTE: options.path,
        },
      });
      servers.push(server);
      await waitForOk(server, options.path, started, 30_000);
      for (let r = 0; r < 20; r++) await httpGet(`${server.baseUrl}${options.path}`, 5000);
    }
    const processesMb = servers.map((server) => rssTree(server.pid).totalMb ?? 0);
    return {
      processes: count,
      processesMb,
      totalMb: Math.round(processesMb.reduce((sum, mb) => sum + mb, 0) * 10) / 10,
    };
  } finally {
    for (const server of servers) await stopServer(server);
  }
}
