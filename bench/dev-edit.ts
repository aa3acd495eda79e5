/**
 * `npm run bench:dev`: the dev server's edit-to-page latency. Generates 1000 posts, starts
 * `src/dev/server.ts` on them, then edits 20 different posts one at a time (a real file write
 * each) and measures from the write until `GET /posts/:slug` returns the new content, polling
 * every 2 ms. Prints one JSON object with p50/p95/max and the target (p95 < 50 ms); progress
 * goes to stderr. Exits 1 only if it could not run.
 *
 *   npm run bench:dev -- [--posts 1000] [--edits 20]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generatePosts } from './generate-posts.ts';

const TARGET_P95_MS = 50;
const POLL_MS = 2;
const DEV_SERVER = fileURLToPath(new URL('../src/dev/server.ts', import.meta.url));

const { values } = parseArgs({
  options: { posts: { type: 'string', default: '1000' }, edits: { type: 'string', default: '20' } },
});
const postCount = Number(values.posts);
const editCount = Number(values.edits);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
const round = (ms: number) => Math.round(ms * 10) / 10;

/** The server's own "post re-rendered" timings (content + pages, without the debounce). */
const serverMs: unknown[] = [];

function start(postsDir: string, cacheDir: string): { child: ChildProcess; url: Promise<string> } {
  const child = spawn(process.execPath, [DEV_SERVER], {
    env: {
      PATH: process.env.PATH ?? '',
      POSTS_DIR: postsDir,
      CACHE_DIR: cacheDir,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let listening: string | undefined;
  const url = new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk;
      const found = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(seen)?.[1];
      if (found) listening = found;
      // Measure the server as a writer meets it after starting: renderer warmed.
      if (listening && seen.includes('"msg":"renderer warmed"')) resolve(listening);
      for (const match of chunk.matchAll(/"quire":(\{[^}]*\}),"msg":"post re-rendered"/g))
        serverMs.push(JSON.parse(match[1] as string));
      seen = seen.slice(-300);
    });
    child.once('exit', (code) => reject(new Error(`dev server exited (${code}) before listening`)));
  });
  return { child, url };
}

const root = await mkdtemp(join(tmpdir(), 'quire-bench-dev-'));
let server: ChildProcess | undefined;
try {
  const postsDir = join(root, 'posts');
  const slugs = await generatePosts(postsDir, postCount);
  process.stderr.write(`generated ${slugs.length} posts; starting the dev server (cold render)\n`);
  const started = performance.now();
  const dev = start(postsDir, join(root, 'cache'));
  server = dev.child;
  const url = await dev.url;
  const startMs = Math.round(performance.now() - started);
  process.stderr.write(`listening after ${startMs} ms\n`);

  // The client's first requests pay for its connection and JIT: not the server's latency.
  for (let i = 0; i < 20; i++) await (await fetch(`${url}/posts/${slugs[0] as string}`)).text();

  /** Writes one edit and polls the page until it serves it: ms from the write. */
  const edit = async (slug: string, marker: string): Promise<number> => {
    const file = join(postsDir, `${slug}.md`);
    const source = await readFile(file, 'utf8');
    await sleep(100); // let the previous edit settle: each edit is measured alone
    const written = performance.now();
    await writeFile(file, `${source}\nEdited: ${marker}.\n`);
    for (;;) {
      const response = await fetch(`${url}/posts/${slug}`);
      if ((await response.text()).includes(marker)) return performance.now() - written;
      if (performance.now() - written > 10_000)
        throw new Error(`edit of ${slug} not served in 10 s`);
      await sleep(POLL_MS);
    }
  };
  const summary = (samples: number[]) => {
    const sorted = [...samples].sort((a, b) => a - b);
    return {
      p50: round(percentile(sorted, 50)),
      p95: round(percentile(sorted, 95)),
      max: round(sorted.at(-1) as number),
      samples: samples.map(round),
    };
  };

  // The measured round: 20 different posts, each edited for the first time this session.
  const step = Math.floor(postCount / editCount);
  const edited = Array.from({ length: editCount }, (_, i) => slugs[i * step] as string);
  const first: number[] = [];
  for (const [i, slug] of edited.entries()) first.push(await edit(slug, `bench-first-${i}`));
  const firstServer = serverMs.splice(0);
  // For comparison, what writing feels like: the same posts saved again (their code blocks are
  // in the highlighter's memo now).
  const again: number[] = [];
  for (const [i, slug] of edited.entries()) again.push(await edit(slug, `bench-again-${i}`));

  const result = summary(first);
  process.stdout.write(
    `${JSON.stringify(
      {
        posts: slugs.length,
        edits: first.length,
        startMs,
        editToPageMs: result,
        target: { p95Ms: TARGET_P95_MS, met: result.p95 < TARGET_P95_MS },
        sameFilesAgainMs: summary(again),
        serverLog: { first: firstServer, again: serverMs },
      },
      null,
      2,
    )}\n`,
  );
} catch (error) {
  process.stderr.write(`bench:dev failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
} finally {
  server?.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
}
