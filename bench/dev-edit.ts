/**
 * `npm run bench:dev`: the dev server's edit-to-page latency (issue #4: p95 < 50 ms). Generates
 * 1000 posts, starts `src/dev/server.ts` on them, then edits 20 different posts one at a time
 * (a real file write each) and measures from the write until a `GET /posts/:slug` response
 * with the new content has been read.
 *
 * How the new page is found (`method` in the output): the bench keeps the live-reload stream
 * open, as a browser tab does, and fetches the page as soon as an event names it; the server
 * stores a page before it sends the event, so that first fetch is the first response with the
 * new HTML. (Polling every 2 ms, as before, added up to 2 ms plus a request per poll to every
 * figure.) Should the page not have the edit yet, it polls with no pause and says so
 * (`refetches`).
 *
 * `--reference <dir>`: also runs the dev server of another checkout of Quire (e.g. `main`,
 * extracted with `git archive`, its node_modules linked) on its own copy of the same posts,
 * alternating edits between the two, and reports both and their ratio: absolute times move a
 * lot with the machine's load, a ratio measured in one run much less.
 *
 * Prints one JSON object with p50/p95/max; progress goes to stderr. Exits 1 only if it could
 * not run.
 *
 *   npm run bench:dev -- [--posts 1000] [--edits 20] [--reference ../quire-main]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openEvents } from '../test/helpers/dev-events.ts';
import { generatePosts } from '../test/helpers/generate-posts.ts';

const TARGET_P95_MS = 50;
const OURS = fileURLToPath(new URL('../', import.meta.url));

const { values } = parseArgs({
  options: {
    posts: { type: 'string', default: '1000' },
    edits: { type: 'string', default: '20' },
    reference: { type: 'string' },
  },
});
const postCount = Number(values.posts);
const editCount = Number(values.edits);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
const round = (ms: number) => Math.round(ms * 10) / 10;

interface DevServer {
  child: ChildProcess;
  url: string;
  postsDir: string;
  /** The server's own "post re-rendered" log lines since the last `splice`. */
  serverLog: unknown[];
  /** Resolves with the `paths` of the next live-reload event naming `path` (or `*`). */
  nextEvent(path: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts the dev server of the checkout at `root` and waits until its renderer is warm. */
async function start(root: string, postsDir: string, cacheDir: string): Promise<DevServer> {
  const child = spawn(process.execPath, [join(root, 'src/dev/server.ts')], {
    cwd: root,
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
  const serverLog: unknown[] = [];
  let listening: string | undefined;
  const url = await new Promise<string>((resolve, reject) => {
    let seen = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      seen += chunk;
      const found = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(seen)?.[1];
      if (found) listening = found;
      // Measure the server as a writer meets it after starting: renderer warmed.
      if (listening && seen.includes('"msg":"renderer warmed"')) resolve(listening);
      for (const match of chunk.matchAll(/"quire":(\{[^}]*\}),"msg":"post re-rendered"/g))
        serverLog.push(JSON.parse(match[1] as string));
      seen = seen.slice(-300);
    });
    child.once('exit', (code) => reject(new Error(`dev server exited (${code}) before listening`)));
  });

  // The live-reload stream, read as a browser's EventSource would.
  const events = await openEvents(url);
  return {
    child,
    url,
    postsDir,
    serverLog,
    nextEvent: async (path) => {
      events.clear();
      // Rejects, naming the events seen, if none names the page within 10 s.
      await events.next((paths) => paths.includes(path) || paths.includes('*'), 10_000);
    },
    close: async () => {
      await events.close().catch(() => {});
      child.kill('SIGKILL');
    },
  };
}

const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    max: round(sorted.at(-1) as number),
    samples: samples.map(round),
  };
};

/** Writes one edit and waits for the page to serve it: ms from the write. */
async function edit(
  server: DevServer,
  slug: string,
  marker: string,
): Promise<{ ms: number; refetches: number }> {
  const file = join(server.postsDir, `${slug}.md`);
  const source = await readFile(file, 'utf8');
  await sleep(100); // let the previous edit settle: each edit is measured alone
  const path = `/posts/${slug}`;
  const event = server.nextEvent(path); // listening before the write, as an open tab is
  const written = performance.now();
  await writeFile(file, `${source}\nEdited: ${marker}.\n`);
  await event;
  for (let refetches = 0; ; refetches++) {
    const response = await fetch(`${server.url}${path}`);
    if ((await response.text()).includes(marker))
      return { ms: performance.now() - written, refetches };
    if (performance.now() - written > 10_000) throw new Error(`edit of ${slug} not served in 10 s`);
  }
}

const root = await mkdtemp(join(tmpdir(), 'quire-bench-dev-'));
const servers: DevServer[] = [];
try {
  const postsDir = join(root, 'posts');
  const slugs = await generatePosts(postsDir, postCount);
  const checkouts: [name: string, dir: string][] = [['ours', OURS]];
  if (values.reference !== undefined) checkouts.push(['reference', resolve(values.reference)]);
  const startMs: Record<string, number> = {};
  for (const [name, dir] of checkouts) {
    const posts = name === 'ours' ? postsDir : join(root, `posts-${name}`);
    if (posts !== postsDir) await cp(postsDir, posts, { recursive: true });
    process.stderr.write(`${slugs.length} posts; starting ${name}'s dev server (cold render)\n`);
    const started = performance.now();
    const server = await start(dir, posts, join(root, `cache-${name}`));
    servers.push(server);
    startMs[name] = Math.round(performance.now() - started);
    process.stderr.write(`${name}: warm after ${startMs[name]} ms\n`);
    // The client's first requests pay for its connection and JIT: not the server's latency.
    for (let i = 0; i < 20; i++)
      await (await fetch(`${server.url}/posts/${slugs[0] as string}`)).text();
  }

  // 20 different posts, each edited for the first time this session, then each saved again
  // (for comparison: its code blocks are in the highlighter's memo then). Servers alternate.
  const step = Math.floor(postCount / editCount);
  const edited = Array.from({ length: editCount }, (_, i) => slugs[i * step] as string);
  interface Round {
    ms: number[];
    refetches: number;
    serverLog: unknown[];
  }
  const newRound = (): Round => ({ ms: [], refetches: 0, serverLog: [] });
  const rounds = servers.map(() => ({ first: newRound(), again: newRound() }));
  for (const round of ['first', 'again'] as const) {
    for (const [i, slug] of edited.entries())
      for (const [s, server] of servers.entries()) {
        const result = await edit(server, slug, `bench-${round}-${i}`);
        const into = (rounds[s] as (typeof rounds)[number])[round];
        into.ms.push(result.ms);
        into.refetches += result.refetches;
      }
    for (const [s, server] of servers.entries())
      (rounds[s] as (typeof rounds)[number])[round].serverLog = server.serverLog.splice(0);
  }

  const report = (s: number) => {
    const { first, again } = rounds[s] as (typeof rounds)[number];
    const editToPageMs = summary(first.ms);
    return {
      editToPageMs,
      target: { p95Ms: TARGET_P95_MS, met: editToPageMs.p95 < TARGET_P95_MS },
      sameFilesAgainMs: summary(again.ms),
      refetches: first.refetches + again.refetches,
      serverLog: { first: first.serverLog, again: again.serverLog },
    };
  };
  const ours = report(0);
  const reference = servers.length > 1 ? report(1) : undefined;
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  process.stdout.write(
    `${JSON.stringify(
      {
        posts: slugs.length,
        edits: editCount,
        method: 'write, live-reload event, GET until the page has the edit',
        startMs,
        ...ours,
        ...(reference && {
          reference: { dir: resolve(values.reference as string), ...reference },
          oursOverReference: {
            p50: ratio(ours.editToPageMs.p50, reference.editToPageMs.p50),
            p95: ratio(ours.editToPageMs.p95, reference.editToPageMs.p95),
            againP50: ratio(ours.sameFilesAgainMs.p50, reference.sameFilesAgainMs.p50),
            againP95: ratio(ours.sameFilesAgainMs.p95, reference.sameFilesAgainMs.p95),
          },
        }),
      },
      null,
      2,
    )}\n`,
  );
} catch (error) {
  process.stderr.write(`bench:dev failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
} finally {
  for (const server of servers) await server.close();
  await rm(root, { recursive: true, force: true });
}
