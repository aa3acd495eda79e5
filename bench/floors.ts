/**
 * Floors: what a requirement costs on its own, with nothing of Quire's, measured in the same run
 * as Quire (a ratio on this machine, never a figure from another run). Each one says how close a
 * target can come at best:
 *
 * - cold render: Shiki alone highlighting the posts' code blocks (shiki-alone.ts), its CPU time
 *   spread perfectly over every core: no Node start, no Markdown, no cache, no pages;
 * - throughput: the bare Fastify route with the same bytes, and the same plus the one access-log
 *   line per request that #2 asks for (bare-server.ts, bare and --log): run by run.ts beside
 *   Quire and its reference;
 * - memory and start: idle Node processes, each with Fastify and pino loaded and a few requests
 *   served, holding no content at all: one for a serving process, three for primary + 2 workers;
 * - the page cache: a process that only keeps pages in a byte-bounded LRU (PAGE_CACHE_MB), as many
 *   and as large as a crawl of the site asked for, with a serving process's runtime settings: what
 *   holding and turning over that many pages costs in RSS, with no content, templates or HTTP;
 * - search (#19): minisearch alone, in-process, with Quire's options over the same documents and
 *   the same queries (search-alone.ts, beside Quire's own query step), and bare Fastify answering
 *   a search page of the same bytes over HTTP: the search targets show both.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SEARCH_PATH } from '../src/http/paths.ts';
import { SERVING_ENV, SERVING_NODE_FLAGS } from '../src/process/serving-runtime.ts';
import {
  freePort,
  httpGet,
  pssTree,
  replayableHeaders,
  rssTree,
  startServer,
  stopServer,
  waitForOk,
  type ServerProcess,
} from './measure.ts';
import { type SamplePage, searchClient, timeSearches } from './search.ts';

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

/** How bare-server.ts logs: not at all, #2's access line, or Fastify's `logger: true`. */
export type BareLogging = 'none' | 'access-line' | 'fastify-logger';

/** Starts a reference server (bare-server.ts), ready to answer `path`. */
export async function startBare(options: {
  name: string;
  root: string;
  logDir: string;
  bodyFile: string;
  headersFile: string;
  path: string;
  logging: BareLogging;
}): Promise<ServerProcess> {
  const port = await freePort();
  const started = performance.now();
  const flag = { none: [], 'access-line': ['--log'], 'fastify-logger': ['--fastify-logger'] };
  const server = startServer({
    name: options.name,
    args: [
      'bench/bare-server.ts',
      '--port',
      String(port),
      '--body-file',
      options.bodyFile,
      '--headers-file',
      options.headersFile,
      '--path',
      options.path,
      ...flag[options.logging],
    ],
    cwd: options.root,
    port,
    logDir: options.logDir,
    env: { ...process.env, NODE_ENV: 'production' },
  });
  await waitForOk(server, options.path, started, 30_000);
  return server;
}

export interface IdleProcesses {
  processes: number;
  /** Each one's RSS, and the sum. */
  processesRssMb: number[];
  rssMb: number;
  /** The sum of their PSS (the Node binary's pages, mapped by all, split between them). */
  pssMb: number | null;
  /** Spawn to the first 200, each: the least a serving process can take to be ready. */
  startMs: number[];
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

/** Memory and start time of `count` idle servers (IDLE_SERVER), each having served a few requests. */
export async function idleProcesses(
  count: number,
  options: { root: string; logDir: string; bytes: number; path: string },
): Promise<IdleProcesses> {
  const servers: ServerProcess[] = [];
  const startMs: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const started = performance.now();
      const server = startServer({
        name: `idle-${count}-${i}`,
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
      startMs.push(Math.round(await waitForOk(server, options.path, started, 30_000)));
      for (let r = 0; r < 20; r++) await httpGet(`${server.baseUrl}${options.path}`, 5000);
    }
    const processesRssMb = servers.map((server) => rssTree(server.pid).totalMb ?? 0);
    const pss = servers.map((server) => pssTree(server.pid).totalMb);
    const sum = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) * 10) / 10;
    return {
      processes: count,
      processesRssMb,
      rssMb: sum(processesRssMb),
      pssMb: pss.every((mb) => mb !== undefined) ? sum(pss) : null,
      startMs,
    };
  } finally {
    for (const server of servers) await stopServer(server);
  }
}

/**
 * The page-cache floor: `pages` fresh page strings of `pageBytes` each (a template's output),
 * each kept as the bytes a page is served from in an LRU of `cacheMb` (lru-cache, as Quire's page
 * store), the oldest evicted as the bound is reached. Prints its RSS growth in MB.
 */
const PAGE_CACHE_FLOOR = `
import { LRUCache } from 'lru-cache';
const [pages, pageBytes, cacheMb] = process.argv.slice(1).map(Number);
const rss = () => process.memoryUsage().rss / 2 ** 20;
const before = rss();
const cache = new LRUCache({ maxSize: cacheMb * 2 ** 20, sizeCalculation: (page) => page.length });
const filler = 'lorem ipsum dolor sit amet, '.repeat(Math.ceil(pageBytes / 28)).slice(0, pageBytes);
for (let i = 0; i < pages; i++) {
  cache.set(i, Buffer.from(\`<p>\${i}</p>\${filler}\`, 'utf8'));
  if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
}
console.log(JSON.stringify({ growthMb: Math.round((rss() - before) * 10) / 10 }));
`;

export interface PageCacheFloor {
  pages: number;
  pageBytes: number;
  growthMb: number;
}

/** RSS growth of a process that only turns `pages` pages of `bodyBytes` in all over the LRU. */
export async function pageCacheFloor(
  root: string,
  { pages, bodyBytes, cacheMb }: { pages: number; bodyBytes: number; cacheMb: number },
): Promise<PageCacheFloor> {
  const pageBytes = Math.round(bodyBytes / Math.max(1, pages));
  const { stdout } = await run(
    process.execPath,
    [
      ...SERVING_NODE_FLAGS,
      '--input-type=module',
      '-e',
      PAGE_CACHE_FLOOR,
      String(pages),
      String(pageBytes),
      String(cacheMb),
    ],
    { cwd: root, env: { ...process.env, ...SERVING_ENV }, timeout: 300_000 },
  );
  return { pages, pageBytes, ...(JSON.parse(stdout) as { growthMb: number }) };
}

/** search-alone.ts's figures: CPU ms per query, in-process. */
export interface SearchCpu {
  p50CpuMs: number;
  p95CpuMs: number;
  meanCpuMs: number;
}

export interface SearchAlone {
  posts: number;
  queries: number;
  rounds: number;
  medianMatches: number;
  /** Whether minisearch alone found as many posts as Quire for every query. */
  sameMatches: boolean;
  minisearchAlone: SearchCpu;
  quireQueryStep: SearchCpu;
}

/** The search floor in-process (search-alone.ts) over a site rendered by the built Quire. */
export async function searchAlone(
  root: string,
  site: { postsDir: string; pagesDir: string; cacheDir: string },
  queriesFile: string,
): Promise<SearchAlone> {
  const { stdout } = await run(
    process.execPath,
    [
      // The serving process's runtime settings: its garbage collection is part of a search's cost.
      ...SERVING_NODE_FLAGS,
      'bench/search-alone.ts',
      ...['--posts-dir', site.postsDir, '--pages-dir', site.pagesDir],
      ...['--cache-dir', site.cacheDir, '--queries-file', queriesFile, '--code', 'dist'],
    ],
    { cwd: root, env: { ...process.env, ...SERVING_ENV }, timeout: 600_000, maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout) as SearchAlone;
}

/**
 * The plain-HTTP floor of a search: bare Fastify (bare-server.ts, no logging) answering the bytes
 * and headers of one of Quire's search pages at /search, asked the same queries on one
 * kept-alive connection as Quire was (search.ts): what the HTTP round trip costs with no search.
 */
export async function searchHttpFloor(options: {
  name: string;
  root: string;
  logDir: string;
  workDir: string;
  page: SamplePage;
  queries: readonly string[];
}) {
  const bodyFile = join(options.workDir, `${options.name}.html`);
  const headersFile = join(options.workDir, `${options.name}-headers.json`);
  await writeFile(bodyFile, options.page.body);
  await writeFile(headersFile, JSON.stringify(replayableHeaders(options.page.headers)));
  const server = await startBare({
    name: options.name,
    root: options.root,
    logDir: options.logDir,
    bodyFile,
    headersFile,
    path: SEARCH_PATH,
    logging: 'none',
  });
  const client = searchClient(server.baseUrl);
  try {
    for (const q of options.queries.slice(0, 10)) await client.search(q);
    const { p50Ms, p95Ms, maxMs, serverCpuMsPerQuery } = await timeSearches(
      client,
      server.pid,
      options.queries,
    );
    return {
      bytes: Buffer.byteLength(options.page.body),
      p50Ms,
      p95Ms,
      maxMs,
      serverCpuMsPerQuery,
    };
  } finally {
    await client.close();
    await stopServer(server);
  }
}
