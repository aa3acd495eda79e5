/**
 * `npm run audit`: Lighthouse on the real server with the sample posts, and the page weight
 * of a post (issue #3, "Targets"). Prints one JSON object:
 *
 *   { "lighthouse": { "/": { performance, accessibility, bestPractices, seo }, "/posts/...": ... },
 *     "pageWeight": { page, files: [{ url, bytes, gzip }], totalGzip, budget, withinBudget } }
 *
 * Scores are 0-100, Lighthouse's default (mobile) settings with simulated throttling. Page weight
 * is the HTML, CSS and JS a post page loads (no images: the sample post has none), each
 * gzipped at level 6 as nginx would (`gzip_comp_level` 6), summed. The app itself never
 * compresses: nginx does.
 *
 * Chromium is Debian's (`CHROME_PATH`, default /usr/bin/chromium). Exits 1 when a target is
 * missed: Accessibility, Best Practices and SEO 100, Performance >= 95, page weight < 30 KB.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  type LighthouseChrome,
  launchLighthouseChrome,
} from '../test/system/browser/lighthouse.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CHROME_PATH = process.env.CHROME_PATH ?? '/usr/bin/chromium';
/** The index, and the longest sample post, with code in several languages. */
const PAGES = ['/', '/posts/how-quire-renders-a-post'];
const WEIGHT_PAGE = '/posts/how-quire-renders-a-post';
const WEIGHT_BUDGET = 30 * 1024;
const TARGETS = { performance: 95, accessibility: 100, bestPractices: 100, seo: 100 };

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** The production server (one process) on the sample posts, with SITE_URL pointing at it. */
async function startQuire(cacheDir: string): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [join(ROOT, 'src/server.ts')], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: '0',
      WORKERS: '1',
      SITE_URL: url,
      POSTS_DIR: 'posts',
      CACHE_DIR: cacheDir,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ready = await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return { url, child };
    if (Date.now() > deadline) throw new Error('server not ready within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

type Scores = Record<keyof typeof TARGETS, number | null>;

async function audit(chrome: LighthouseChrome, url: string) {
  const { scores, failed } = await chrome.audit(url);
  const named: Scores = {
    performance: scores.performance,
    accessibility: scores.accessibility,
    bestPractices: scores['best-practices'],
    seo: scores.seo,
  };
  return { scores: named, failed };
}

/** The gzip size of the HTML, CSS and JS a page loads. */
async function pageWeight(base: string, path: string) {
  const html = await (await fetch(base + path)).text();
  const urls = [
    path,
    ...[...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => m[1] ?? ''),
    ...[...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1] ?? ''),
  ];
  const files = [];
  for (const url of urls) {
    const body = Buffer.from(await (await fetch(base + url)).arrayBuffer());
    files.push({ url, bytes: body.length, gzip: gzipSync(body, { level: 6 }).length });
  }
  const totalGzip = files.reduce((sum, file) => sum + file.gzip, 0);
  return {
    page: path,
    files,
    totalGzip,
    budget: WEIGHT_BUDGET,
    withinBudget: totalGzip < WEIGHT_BUDGET,
  };
}

async function main(): Promise<number> {
  const scratch = await mkdtemp(join(tmpdir(), 'quire-audit-'));
  let quire: ChildProcess | undefined;
  let chrome: LighthouseChrome | undefined;
  try {
    const server = await startQuire(join(scratch, 'cache'));
    quire = server.child;
    chrome = await launchLighthouseChrome(CHROME_PATH);
    const report: Record<string, unknown> = {};
    const misses: string[] = [];
    for (const path of PAGES) {
      const { scores, failed } = await audit(chrome, server.url + path);
      report[path] = { ...scores, failedAudits: failed };
      for (const [name, target] of Object.entries(TARGETS)) {
        const value = scores[name as keyof Scores];
        if (value === null || value < target) misses.push(`${path} ${name} ${value} < ${target}`);
      }
    }
    const weight = await pageWeight(server.url, WEIGHT_PAGE);
    if (!weight.withinBudget) misses.push(`page weight ${weight.totalGzip} >= ${WEIGHT_BUDGET}`);
    process.stdout.write(
      `${JSON.stringify({ lighthouse: report, pageWeight: weight, misses }, null, 2)}\n`,
    );
    return misses.length === 0 ? 0 : 1;
  } finally {
    await chrome?.close();
    quire?.kill('SIGTERM');
    if (quire && quire.exitCode === null) await once(quire, 'exit');
    await rm(scratch, { recursive: true, force: true });
  }
}

process.exitCode = await main();
