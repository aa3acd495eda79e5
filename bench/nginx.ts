/**
 * `npm run bench:nginx`: a post page through nginx (the project's own config,
 * nginx/) against nginx serving the identical bytes as a static file, in
 * alternating rounds of the same run, same connections (autocannon): the
 * ratio page/static with the 1-second micro-cache on, and with it off, over
 * HTTPS and over plain HTTP. Target (issue #17, after #6): over HTTPS with the
 * micro-cache, ratio ≥ 0.85; the output's `target` states it, measured and met
 * or not. `npm run bench` runs this with `--microcache on` and reports the same.
 *
 * "Identical bytes" means the whole response: the static reference is the
 * page's body served from disk with the page's response headers
 * (sameHeadersLocation below); `ratioBareStatic` compares with the same body
 * as an /assets/ file and nginx's few default headers instead. The same
 * request (Host included) goes to every path. nginx's CPU time per response
 * is reported too (`cpuRatio`), and every failed request by cause, with what
 * nginx logged at warn level or above.
 *
 * Plain HTTP: the production port-80 server only redirects, so the HTTP
 * figures come from a copy of the rendered https server with its TLS lines
 * removed (same locations, same proxy and cache settings) on another port.
 *
 * The app is the built server that production runs (`--server`, dist/server.js;
 * `npm run bench:nginx` builds it first), with 2 workers.
 *
 * A benchmark, not a test: it prints one JSON object on stdout (progress on
 * stderr) and exits 0 whether or not the target is met; 1 if it could not run.
 *
 *   npm run bench:nginx -- [--duration 2] [--connections 20] [--rounds 3]
 *                          [--microcache on|off|both] [--server dist/server.js] [--keep]
 *
 * Loopback only, every run bounded in time, every process stopped on the way out.
 */
import { rmSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Agent, request } from 'undici';
import {
  type Nginx,
  renderNginxIn,
  ROOT,
  SERVER_NAME,
  spawnNginx,
} from '../test/system/nginx/environment.ts';
import {
  clockTicksPerSecond,
  cpuTicksTree,
  freePort,
  killAll,
  startServer,
  stopServer,
  waitForLogLines,
} from './measure.ts';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '2' },
    connections: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    microcache: { type: 'string', default: 'both' },
    server: { type: 'string', default: 'dist/server.js' },
    keep: { type: 'boolean', default: false },
  },
});
const TARGET_RATIO = 0.85;
const MICROCACHE = { on: ['on'], off: ['off'], both: ['on', 'off'] } as const;
if (!Object.hasOwn(MICROCACHE, args.microcache)) {
  throw new Error(`--microcache must be on, off or both (got ${args.microcache})`);
}
const microcaches = MICROCACHE[args.microcache as keyof typeof MICROCACHE];
const seconds = Number(args.duration);
const connections = Number(args.connections);
const rounds = Number(args.rounds);
const log = (message: string) => process.stderr.write(`bench:nginx: ${message}\n`);

const POST = `---
title: "A post for the nginx benchmark"
date: 2026-01-01
---
A paragraph of **Markdown** with [a link](https://example.com) and \`code\`.

${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(40)}

\`\`\`ts
export function greet(name: string): string {
  return \`Hello, \${name}!\`;
}
\`\`\`
`;

interface BenchNginx {
  nginx: Nginx;
  httpsPort: number;
  plainPort: number;
}

/**
 * The project's nginx (test/system/nginx/environment.ts, as the system tests
 * run it) plus a plain-HTTP copy of its https server on another port.
 */
async function startNginx(
  prefix: string,
  upstream: string,
  assetsDir: string,
  pageHeaders: [string, string][],
  microcache: 'on' | 'off',
): Promise<BenchNginx> {
  await mkdir(prefix);
  const setup = await renderNginxIn(prefix, upstream, {
    NGINX_ASSETS_DIR: assetsDir,
    // One client address sends thousands of requests a second here.
    NGINX_RATE_LIMIT: '1000000r/s',
    NGINX_RATE_BURST: '1000000',
    NGINX_MICROCACHE: microcache,
  });
  const httpsFile = join(setup.confDir, '30-https.conf');
  const rendered = await readFile(httpsFile, 'utf8');
  const https = rendered.replace(
    /^ {4}location \/ \{$/m,
    (line) => sameHeadersLocation(assetsDir, pageHeaders) + line,
  );
  if (https === rendered) throw new Error(`no "location / {" in ${httpsFile}`);
  await writeFile(httpsFile, https);
  const plainPort = await freePort();
  const plain = https
    .replace(/listen \S+ ssl http2 default_server;/, `listen 127.0.0.1:${plainPort};`)
    .replace(/^\s*(ssl_certificate|ssl_certificate_key|include snippets\/tls\.conf).*$/gm, '');
  await writeFile(join(setup.confDir, '31-bench-plain-http.conf'), plain);
  const nginx = await spawnNginx(setup, undefined, [setup.httpsPort, plainPort]);
  process.on('exit', () => nginx.child.kill('SIGTERM'));
  return { nginx, httpsPort: setup.httpsPort, plainPort };
}

/** Response headers of the page that nginx sets itself on a static file (or that are per connection). */
const NGINX_OWN = new Set([
  'date',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  'content-type',
  'etag',
  'last-modified',
  'x-request-id',
]);

/**
 * A bench-only location (inserted into the https server, so the plain copy
 * has it too): the page's bytes from disk with the page's own response
 * headers, so page and file put the same bytes on the wire (a page carries
 * about 1 KB of security and caching headers that /assets/ files do not
 * have; the client parses them, which on this 2-core machine shares the CPU
 * with nginx). The security headers come from the include, as on the page
 * (the app runs with SECURITY_HEADERS=proxy); `add_header` in a location
 * would drop the server's otherwise. nginx adds ETag, Last-Modified and
 * Accept-Ranges itself.
 */
function sameHeadersLocation(assetsDir: string, headers: [string, string][]): string {
  const lines = headers
    .filter(([name]) => !NGINX_OWN.has(name))
    .map(([name, value]) => {
      if (/["\\$\r\n]/.test(value)) throw new Error(`cannot copy header ${name}: ${value}`);
      return `        add_header ${name} "${value}";\n`;
    });
  return [
    '    location = /bench/post.html {\n',
    `        alias ${assetsDir}/post.html;\n`,
    '        types { }\n',
    '        default_type "text/html; charset=utf-8";\n',
    '        include snippets/security-headers.conf;\n',
    ...lines,
    '    }\n\n',
  ].join('');
}

const ticksPerSecond = clockTicksPerSecond();

interface Run {
  rps: number;
  /** nginx's CPU time (master and workers, user + system) per response, in µs. */
  nginxCpuUs: number;
  failed: number;
  /** Why requests failed: autocannon's error codes and non-2xx statuses, counted. */
  failures: Record<string, number>;
}

/** One autocannon run; the same request headers on every path (Host as in production). */
async function measure(url: string, nginxPid: number): Promise<Run> {
  const failures: Record<string, number> = {};
  const before = cpuTicksTree(nginxPid).ticks ?? Number.NaN;
  const instance = autocannon({
    url,
    connections,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
    headers: { host: SERVER_NAME },
  });
  instance.on('reqError', (error) => {
    const key = `error ${error.code ?? error.message}`;
    failures[key] = (failures[key] ?? 0) + 1;
  });
  const result = await instance;
  const after = cpuTicksTree(nginxPid).ticks ?? Number.NaN;
  for (const [status, { count }] of Object.entries(result.statusCodeStats)) {
    if (!status.startsWith('2')) failures[`status ${status}`] = count;
  }
  return {
    rps: Math.round(result.requests.total / result.duration),
    nginxCpuUs: Math.round(((after - before) / ticksPerSecond / result.requests.total) * 1e6),
    // autocannon counts a timeout in `errors` too.
    failed: result.errors + result.non2xx,
    failures,
  };
}

/** Headers that differ per response or per path by nature, left out of the comparison below. */
const PER_RESPONSE = new Set(['date', 'etag', 'last-modified', 'x-request-id', 'x-cache-status']);

/**
 * The response header lines that only one of page and static reference carries (after the
 * warm-up, so the page comes from the cache): both lists empty means both put the same
 * headers on the wire, which is what makes the rates comparable.
 */
async function headerDifference(base: string) {
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  const lines = async (path: string) => {
    const response = await request(`${base}${path}`, {
      dispatcher,
      headers: { host: SERVER_NAME },
    });
    await response.body.dump();
    return Object.entries(response.headers)
      .filter(([name]) => !PER_RESPONSE.has(name))
      .map(([name, value]) => `${name}: ${String(value)}`);
  };
  const [page, reference] = [await lines(PATHS.page), await lines(PATHS.static)];
  await dispatcher.close();
  return {
    onlyOnPage: page.filter((line) => !reference.includes(line)),
    onlyOnStatic: reference.filter((line) => !page.includes(line)),
  };
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 === 1
    ? sorted[Math.floor(middle)]!
    : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function addFailures(into: Record<string, number>, from: Record<string, number>) {
  for (const [key, count] of Object.entries(from)) into[key] = (into[key] ?? 0) + count;
}

const PATHS = {
  page: '/posts/nginx-bench',
  /** The page's bytes and headers from disk: the reference for the target. */
  static: '/bench/post.html',
  /** The page's bytes as a theme file under /assets/, with nginx's default static headers. */
  bareStatic: '/assets/post.html',
} as const;
type Kind = keyof typeof PATHS;

/**
 * The page and both static files back to back, `rounds` times, the order
 * rotated every round (so none always runs first or last, on a warmer or
 * busier machine). Each round's ratio compares runs seconds apart; the median
 * of those ratios is the figure, since the shared machine's load drifts more
 * between rounds than within one. Besides the rate, the ratio of nginx's own
 * CPU time per response (static / page): the same comparison with the load
 * of other processes on the machine mostly taken out.
 */
async function compare(base: string, nginxPid: number) {
  const kinds = Object.keys(PATHS) as Kind[];
  const runs: Record<Kind, Run[]> = { page: [], static: [], bareStatic: [] };
  const failures: Record<string, number> = {};
  // Warm every path (TLS sessions, the cache, the file's page cache).
  for (const kind of kinds) await measure(`${base}${PATHS[kind]}`, nginxPid);
  const headersDiffer = await headerDifference(base);
  for (let round = 0; round < rounds; round++) {
    const order = [...kinds.slice(round % kinds.length), ...kinds.slice(0, round % kinds.length)];
    for (const kind of order) {
      const result = await measure(`${base}${PATHS[kind]}`, nginxPid);
      runs[kind].push(result);
      addFailures(failures, result.failures);
    }
  }
  const ratios = (reference: Kind) => runs.page.map((run, i) => run.rps / runs[reference][i]!.rps);
  const cpuRatios = (reference: Kind) =>
    runs.page.map((run, i) => runs[reference][i]!.nginxCpuUs / run.nginxCpuUs);
  return {
    pageRps: runs.page.map((run) => run.rps),
    staticRps: runs.static.map((run) => run.rps),
    bareStaticRps: runs.bareStatic.map((run) => run.rps),
    roundRatios: ratios('static').map(round3),
    ratio: round3(median(ratios('static'))),
    ratioBareStatic: round3(median(ratios('bareStatic'))),
    nginxCpuUsPerResponse: Object.fromEntries(
      kinds.map((kind) => [kind, runs[kind].map((run) => run.nginxCpuUs)]),
    ),
    cpuRatio: round3(median(cpuRatios('static'))),
    cpuRatioBareStatic: round3(median(cpuRatios('bareStatic'))),
    headersDiffer,
    errors: kinds.reduce((sum, kind) => sum + runs[kind].reduce((n, run) => n + run.failed, 0), 0),
    failures,
  };
}

async function main() {
  const work = await mkdtemp(join(os.tmpdir(), 'quire-bench-nginx-'));
  if (!args.keep) process.on('exit', () => rmSync(work, { recursive: true, force: true }));
  process.on('exit', killAll);
  const postsDir = join(work, 'posts');
  await mkdir(postsDir);
  await writeFile(join(postsDir, 'nginx-bench.md'), POST);

  const port = await freePort();
  const app = startServer({
    name: 'quire',
    args: [join(ROOT, args.server)],
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: '0',
      WORKERS: '2',
      POSTS_DIR: postsDir,
      CACHE_DIR: join(work, 'cache'),
      TRUST_PROXY: '127.0.0.1',
      // As in production behind this nginx (docker-compose.prod.yml): nginx adds them.
      SECURITY_HEADERS: 'proxy',
    },
    port,
    logDir: work,
  });
  await waitForLogLines(app, (line) => /Server listening/.test(String(line.msg)), 2, 60_000);
  log(`app (2 workers) on ${port}`);

  // The static reference: exactly the bytes the app sends for the page.
  const assetsDir = join(work, 'assets');
  await mkdir(assetsDir);
  await chmod(work, 0o755);
  const response = await fetch(`http://127.0.0.1:${port}${PATHS.page}`);
  const body = Buffer.from(await response.arrayBuffer());
  const pageHeaders = [...response.headers];
  await writeFile(join(assetsDir, 'post.html'), body);

  const results: Record<string, unknown> = {};
  for (const microcache of microcaches) {
    const nginx = await startNginx(
      join(work, `nginx-${microcache}`),
      `127.0.0.1:${port}`,
      assetsDir,
      pageHeaders,
      microcache,
    );
    try {
      for (const [scheme, base] of [
        ['https', `https://127.0.0.1:${nginx.httpsPort}`],
        ['http', `http://127.0.0.1:${nginx.plainPort}`],
      ] as const) {
        log(`micro-cache ${microcache}, ${scheme}`);
        results[`${scheme}_microcache_${microcache}`] = await compare(base, nginx.nginx.child.pid!);
      }
    } finally {
      await nginx.nginx.stop();
    }
    // Anything nginx had to say about the runs (an upstream reset, a worker crash).
    results[`nginxErrorLog_microcache_${microcache}`] = nginx.nginx
      .stderr()
      .split('\n')
      .filter((line) => /\[(warn|error|crit|alert|emerg)\]/.test(line));
  }
  const appExit = await stopServer(app);
  const withCache = results.https_microcache_on as { ratio: number } | undefined;
  const target = withCache && {
    measured: 'https_microcache_on.ratio: the median of per-round page/static requests per second',
    ratio: withCache.ratio,
    target: `>= ${TARGET_RATIO}`,
    pass: withCache.ratio >= TARGET_RATIO,
  };
  process.stdout.write(
    JSON.stringify(
      {
        benchmark: 'nginx: post page through nginx vs the same bytes as a static file',
        pageBytes: body.length,
        connections,
        secondsPerRun: seconds,
        rounds,
        cpus: os.availableParallelism(),
        target: target ?? 'not measured: --microcache off',
        notes:
          'ratio: the median of per-round page/static requests per second; cpuRatio: nginx CPU per response, static/page',
        ...results,
        appExit,
      },
      null,
      2,
    ) + '\n',
  );
}

// A signal exits through the 'exit' handlers, which stop the app and nginx.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(1));

main().catch((error: unknown) => {
  process.stderr.write(`bench:nginx failed: ${(error as Error).stack ?? String(error)}\n`);
  // The 'exit' handlers stop the app and nginx, which would keep the process alive.
  process.exit(1);
});
