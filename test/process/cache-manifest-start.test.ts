/**
 * The cluster primary and the render cache's manifest (src/content/cache-manifest.ts, issue #7):
 * a cache that `npm run render` left complete for these very posts is not prepared again (no
 * prepare child), anything else is, and a manifest that vouches for a bad entry still serves
 * the right page, rendered by the workers.
 */
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { snapshotPosts } from '../../src/content/cache-manifest.ts';
import { runCli } from '../cli/run.ts';
import { SAMPLE_POSTS, tempDir } from '../helpers/posts-dir.ts';
import { exitWithin, type ServerProcess, startServer } from '../helpers/server-process.ts';

const SAMPLE_DIR = fileURLToPath(new URL('../../posts/', import.meta.url));
const POST = 'writing-a-post.md';
const PAGE = '/posts/writing-a-post';

/** The sample posts, copied, and a cache rendered for them by the real CLI. */
async function renderedSite(): Promise<{ postsDir: string; cacheDir: string }> {
  const root = await tempDir();
  const postsDir = join(root, 'posts');
  const cacheDir = join(root, 'cache');
  await cp(SAMPLE_DIR, postsDir, { recursive: true });
  const rendered = await runCli('render.ts', [], {
    cwd: root,
    env: { POSTS_DIR: postsDir, CACHE_DIR: cacheDir },
  });
  assert.equal(rendered.code, 0, rendered.stderr);
  return { postsDir, cacheDir };
}

interface Started {
  server: ServerProcess;
  base: string;
  /** The primary's lines about the cache, then every "site loaded" line's `rendered`. */
  prepared: string[];
  rendered: number[];
  metrics: string;
}

async function startCluster(postsDir: string, cacheDir: string): Promise<Started> {
  const server = startServer({ WORKERS: '2', POSTS_DIR: postsDir, CACHE_DIR: cacheDir });
  const metricsLine = await server.waitForLine((l) => l.msg === 'metrics listening');
  const listening = () =>
    new Set(
      server
        .logLines()
        .filter((l) => l.msg?.startsWith('Server listening'))
        .map((l) => l.pid),
    ).size;
  const until = Date.now() + 20_000;
  while (listening() < 2 && Date.now() < until) await sleep(25);
  assert.equal(listening(), 2, 'two workers listening');
  const lines = server.logLines();
  const metrics = await (
    await request(`http://127.0.0.1:${String(metricsLine.quire?.port)}/metrics`)
  ).body.text();
  return {
    server,
    base: await server.listening,
    prepared: lines
      .filter((l) => /render cache/.test(l.msg ?? ''))
      .map((l) =>
        typeof l.quire?.reason === 'string' ? `${l.msg}: ${l.quire.reason}` : String(l.msg),
      ),
    rendered: lines.filter((l) => l.msg === 'site loaded').map((l) => Number(l.quire?.rendered)),
    metrics,
  };
}

async function stop({ server }: Started): Promise<void> {
  server.child.kill('SIGTERM');
  assert.equal(await exitWithin(server, 15_000), 0);
}

/** A metric's value, unlabelled. */
const value = (text: string, name: string) =>
  Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

describe('cluster start with a render cache manifest', () => {
  it('a cache rendered for these posts: no prepare child, every post a cache hit, nothing rendered', async () => {
    const { postsDir, cacheDir } = await renderedSite();
    const started = await startCluster(postsDir, cacheDir);
    assert.deepEqual(started.prepared, [
      'render cache complete per its manifest: not preparing it',
    ]);
    assert.deepEqual(started.rendered, [0, 0, 0], 'primary and two workers');
    assert.equal(value(started.metrics, 'quire_render_cache_hits_total'), SAMPLE_POSTS);
    assert.equal(value(started.metrics, 'quire_render_cache_misses_total'), 0);
    assert.equal(value(started.metrics, 'quire_posts'), SAMPLE_POSTS);
    assert.equal((await request(`${started.base}${PAGE}`)).statusCode, 200);
    await stop(started);
  });

  it('a post changed since: the child prepares the cache and writes a manifest the next start uses', async () => {
    const { postsDir, cacheDir } = await renderedSite();
    const file = join(postsDir, POST);
    await writeFile(file, `${await readFile(file, 'utf8')}\nA line added after the render.\n`);
    const first = await startCluster(postsDir, cacheDir);
    assert.deepEqual(first.prepared, [
      'preparing the render cache: posts changed since the manifest: 0 added, 1 changed, 0 removed',
    ]);
    assert.deepEqual(first.rendered, [1, 0, 0], 'the child rendered it, the workers did not');
    assert.match(
      await (await request(`${first.base}${PAGE}`)).body.text(),
      /A line added after the render\./,
    );
    await stop(first);

    const second = await startCluster(postsDir, cacheDir);
    assert.deepEqual(second.prepared, ['render cache complete per its manifest: not preparing it']);
    assert.deepEqual(second.rendered, [0, 0, 0]);
    await stop(second);
  });

  it('a post added, or no manifest: the child prepares the cache', async () => {
    const { postsDir, cacheDir } = await renderedSite();
    await cp(join(postsDir, POST), join(postsDir, 'copy.md'));
    await writeFile(
      join(postsDir, 'copy.md'),
      (await readFile(join(postsDir, 'copy.md'), 'utf8')).replace(
        'title: Writing a post',
        'title: A copy\nslug: a-copy',
      ),
    );
    const added = await startCluster(postsDir, cacheDir);
    assert.deepEqual(added.prepared, [
      'preparing the render cache: posts changed since the manifest: 1 added, 0 changed, 0 removed',
    ]);
    assert.deepEqual(added.rendered, [1, 0, 0]);
    await stop(added);

    const empty = await tempDir();
    const bare = await startCluster(postsDir, empty);
    assert.deepEqual(bare.prepared, ['preparing the render cache: no manifest']);
    assert.deepEqual(bare.rendered, [SAMPLE_POSTS + 1, 0, 0]);
    await stop(bare);
  });

  it('a manifest vouching for a corrupt entry: the workers render that post and serve it right', async () => {
    const { postsDir, cacheDir } = await renderedSite();
    const key = (await snapshotPosts(postsDir)).posts.find(([file]) => file === POST)?.[1];
    assert.ok(key);
    await writeFile(join(cacheDir, `${key}.json`), '{"html": "torn');
    const started = await startCluster(postsDir, cacheDir);
    assert.deepEqual(started.prepared, [
      'render cache complete per its manifest: not preparing it',
    ]);
    assert.deepEqual(started.rendered, [0, 1, 1], 'each worker rendered the post itself');
    const page = await (await request(`${started.base}${PAGE}`)).body.text();
    assert.match(page, /A Quire post is a Markdown file in the posts folder\./);
    await stop(started);
  });
});
