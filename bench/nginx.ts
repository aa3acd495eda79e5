/**
 * `npm run bench:nginx`: a post page through nginx (the project's own config,
 * nginx/) against nginx serving the identical bytes as a static file, in
 * alternating rounds of the same run, same connections (autocannon): the
 * ratio page/static with the 1-second micro-cache on, and with it off, over
 * HTTPS and over plain HTTP. Target (issue #6): ratio ≥ 0.8 with the cache.
 *
 * Plain HTTP: the production port-80 server only redirects, so the HTTP
 * figures come from a copy of the rendered https server with its TLS lines
 * removed (same locations, same proxy and cache settings) on another port.
 *
 * A benchmark, not a test: it prints one JSON object on stdout (progress on
 * stderr) and exits 0 whether or not the target is met; 1 if it could not run.
 *
 *   npm run bench:nginx -- [--duration 2] [--connections 20] [--rounds 3] [--keep]
 *
 * Loopback only, every run bounded in time, every process stopped on the way out.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, rmSync } from 'node:fs';
import { chmod, cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  freePort,
  killAll,
  loadTest,
  startServer,
  stopServer,
  waitForLogLines,
} from './measure.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const NGINX_DIR = join(ROOT, 'nginx');
const NGINX_BIN = '/usr/sbin/nginx';

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '2' },
    connections: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
  },
});
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

interface Nginx {
  stop: () => Promise<void>;
  httpsPort: number;
  plainPort: number;
}

/** Renders nginx/ into `prefix` and starts nginx with it, plus a plain-HTTP copy of the site. */
async function startNginx(
  prefix: string,
  upstream: string,
  assetsDir: string,
  microcache: 'on' | 'off',
): Promise<Nginx> {
  const conf = join(prefix, 'conf');
  await mkdir(join(prefix, 'state'), { recursive: true });
  await mkdir(join(prefix, 'webroot'), { recursive: true });
  await chmod(prefix, 0o755); // workers run as nobody when this runs as root
  await cp(join(NGINX_DIR, 'nginx.conf'), join(conf, 'nginx.conf'));
  await cp(join(NGINX_DIR, 'snippets'), join(conf, 'snippets'), { recursive: true });
  await cp('/etc/nginx/mime.types', join(conf, 'mime.types'));
  const [httpPort, httpsPort, plainPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    NGINX_SERVER_NAME: 'quire.test',
    NGINX_UPSTREAM: upstream,
    NGINX_HTTP_LISTEN: `127.0.0.1:${httpPort}`,
    NGINX_HTTPS_LISTEN: `127.0.0.1:${httpsPort}`,
    NGINX_PUBLIC_HTTPS_PORT: String(httpsPort),
    NGINX_TLS_CERT: join(prefix, 'tls', 'fullchain.pem'),
    NGINX_TLS_KEY: join(prefix, 'tls', 'privkey.pem'),
    NGINX_ACME_WEBROOT: join(prefix, 'webroot'),
    NGINX_ASSETS_DIR: assetsDir,
    NGINX_ERROR_PAGES_DIR: join(NGINX_DIR, 'html'),
    NGINX_STATE_DIR: join(prefix, 'state'),
    // One client address sends thousands of requests a second here.
    NGINX_RATE_LIMIT: '1000000r/s',
    NGINX_RATE_BURST: '1000000',
    NGINX_MICROCACHE: microcache,
  };
  const confD = join(conf, 'conf.d');
  execFileSync(join(NGINX_DIR, 'render.sh'), [join(NGINX_DIR, 'templates'), confD], {
    env,
    stdio: 'ignore',
  });
  execFileSync(join(NGINX_DIR, 'certbot', 'self-signed.sh'), [], { env, stdio: 'ignore' });
  const https = await readFile(join(confD, '30-https.conf'), 'utf8');
  const plain = https
    .replace(/listen \S+ ssl http2 default_server;/, `listen 127.0.0.1:${plainPort};`)
    .replace(/^\s*(ssl_certificate|ssl_certificate_key|include snippets\/tls\.conf).*$/gm, '');
  await writeFile(join(confD, '31-bench-plain-http.conf'), plain);

  const out = openSync(join(prefix, 'nginx.stdout.log'), 'w');
  const err = openSync(join(prefix, 'nginx.stderr.log'), 'w');
  const child = spawn(
    NGINX_BIN,
    ['-p', prefix, '-c', join(conf, 'nginx.conf'), '-g', `daemon off; pid ${prefix}/nginx.pid;`],
    { stdio: ['ignore', out, err] },
  );
  closeSync(out);
  closeSync(err);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.on('exit', () => child.kill('SIGKILL'));
  for (let i = 0; ; i++) {
    const ok = await fetch(`http://127.0.0.1:${plainPort}/assets/post.html`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null || i > 100) {
      throw new Error(
        `nginx did not start: ${await readFile(join(prefix, 'nginx.stderr.log'), 'utf8')}`,
      );
    }
    await sleep(50);
  }
  return {
    httpsPort,
    plainPort,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function requestsPerSecond(url: string): Promise<{ rps: number; errors: number }> {
  const result = await loadTest(url, seconds, connections);
  return { rps: result.requestsPerSec, errors: result.errors + result.timeouts + result.non2xx };
}

/**
 * Page and static file alternately, `rounds` times each. Each round's ratio
 * compares two runs seconds apart; the median of those ratios is the figure,
 * since the shared machine's load drifts more between rounds than within one.
 */
async function compare(base: string) {
  const page = { rps: [] as number[], errors: 0 };
  const file = { rps: [] as number[], errors: 0 };
  await requestsPerSecond(`${base}/posts/nginx-bench`); // warm both paths (TLS sessions, cache)
  for (let round = 0; round < rounds; round++) {
    for (const [target, path] of [
      [file, '/assets/post.html'],
      [page, '/posts/nginx-bench'],
    ] as const) {
      const { rps, errors } = await requestsPerSecond(`${base}${path}`);
      target.rps.push(rps);
      target.errors += errors;
    }
  }
  const roundRatios = page.rps.map((rps, i) => rps / file.rps[i]!);
  const sorted = [...roundRatios].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median =
    sorted.length % 2 === 1
      ? sorted[Math.floor(middle)]!
      : (sorted[middle - 1]! + sorted[middle]!) / 2;
  const round3 = (value: number) => Math.round(value * 1000) / 1000;
  return {
    pageRps: page.rps,
    staticRps: file.rps,
    roundRatios: roundRatios.map(round3),
    ratio: round3(median),
    errors: page.errors + file.errors,
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
    args: [join(ROOT, 'src', 'server.ts')],
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
  const body = Buffer.from(
    await (await fetch(`http://127.0.0.1:${port}/posts/nginx-bench`)).arrayBuffer(),
  );
  await writeFile(join(assetsDir, 'post.html'), body);

  const results: Record<string, unknown> = {};
  for (const microcache of ['on', 'off'] as const) {
    const nginx = await startNginx(
      join(work, `nginx-${microcache}`),
      `127.0.0.1:${port}`,
      assetsDir,
      microcache,
    );
    try {
      for (const [scheme, base] of [
        ['https', `https://127.0.0.1:${nginx.httpsPort}`],
        ['http', `http://127.0.0.1:${nginx.plainPort}`],
      ] as const) {
        log(`micro-cache ${microcache}, ${scheme}`);
        results[`${scheme}_microcache_${microcache}`] = await compare(base);
      }
    } finally {
      await nginx.stop();
    }
  }
  const appExit = await stopServer(app);
  process.stdout.write(
    JSON.stringify(
      {
        benchmark: 'nginx: post page through nginx vs the same bytes as a static file',
        pageBytes: body.length,
        connections,
        secondsPerRun: seconds,
        rounds,
        cpus: os.availableParallelism(),
        target: 'ratio (median of per-round page/static) >= 0.8 with the micro-cache',
        ...results,
        appExit,
      },
      null,
      2,
    ) + '\n',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:nginx failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
