/**
 * The render cache's manifest (src/content/cache-manifest.ts), written by the real `render` CLI:
 * it vouches for exactly the posts it was written for, and for nothing once they change.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { checkCacheManifest, MANIFEST_FILE } from '../../src/content/cache-manifest.ts';
import { runCli } from '../cli/run.ts';
import { postSource, tempDir, writePosts } from '../helpers/posts-dir.ts';

// At the top level: a tempDir made in `before` would be removed when that hook ends.
const root = await tempDir();

describe('render cache manifest', () => {
  let cacheDir: string;
  /** A fresh copy of the posts the cache was rendered from (the cache itself is shared). */
  let postsCopy: () => Promise<string>;

  before(async () => {
    const postsDir = join(root, 'posts');
    cacheDir = join(root, 'cache');
    await mkdir(join(postsDir, 'nested'), { recursive: true });
    await writePosts(postsDir, {
      'one.md': { title: 'One' },
      'draft.md': { title: 'Draft', extra: 'draft: true' },
    });
    await writePosts(join(postsDir, 'nested'), { 'two.md': { title: 'Two' } });
    const rendered = await runCli('render.ts', [], {
      cwd: root,
      env: { POSTS_DIR: postsDir, CACHE_DIR: cacheDir },
    });
    assert.equal(rendered.code, 0, rendered.stderr);
    let copies = 0;
    postsCopy = async () => {
      const copy = join(root, `posts-${copies++}`);
      await cp(postsDir, copy, { recursive: true });
      return copy;
    };
  });

  it('matches the posts it was written for: every one cached, drafts not published', async () => {
    assert.deepEqual(await checkCacheManifest(await postsCopy(), cacheDir), {
      complete: true,
      posts: 3,
      published: 2,
    });
  });

  it('does not match once a post changed, even keeping its size', async () => {
    const posts = await postsCopy();
    await writeFile(join(posts, 'one.md'), postSource({ title: 'Ond' }));
    assert.deepEqual(await checkCacheManifest(posts, cacheDir), {
      complete: false,
      reason: 'posts changed since the manifest: 0 added, 1 changed, 0 removed',
    });
  });

  it('does not match once a post was added or removed', async () => {
    const added = await postsCopy();
    await writePosts(join(added, 'nested'), { 'three.md': { title: 'Three' } });
    assert.deepEqual(await checkCacheManifest(added, cacheDir), {
      complete: false,
      reason: 'posts changed since the manifest: 1 added, 0 changed, 0 removed',
    });
    const removed = await postsCopy();
    await rm(join(removed, 'nested', 'two.md'));
    assert.deepEqual(await checkCacheManifest(removed, cacheDir), {
      complete: false,
      reason: 'posts changed since the manifest: 0 added, 0 changed, 1 removed',
    });
  });

  it('does not match when an entry it names is gone from the cache', async () => {
    const cache = join(root, 'cache-missing');
    await cp(cacheDir, cache, { recursive: true });
    const entry = (await readdir(cache)).find((name) => name !== MANIFEST_FILE);
    await rm(join(cache, entry as string));
    assert.deepEqual(await checkCacheManifest(await postsCopy(), cache), {
      complete: false,
      reason: '1 cache entries missing',
    });
  });

  it('without a manifest, or with a corrupt one, or without a posts directory: no match', async () => {
    const bare = join(root, 'cache-bare');
    await cp(cacheDir, bare, { recursive: true });
    await rm(join(bare, MANIFEST_FILE));
    assert.deepEqual(await checkCacheManifest(await postsCopy(), bare), {
      complete: false,
      reason: 'no manifest',
    });
    assert.deepEqual(await checkCacheManifest(await postsCopy(), join(root, 'nowhere')), {
      complete: false,
      reason: 'no manifest',
    });
    await writeFile(join(bare, MANIFEST_FILE), '{"version":1,"posts":');
    const corrupt = await checkCacheManifest(await postsCopy(), bare);
    assert.equal(corrupt.complete, false);
    assert.match((corrupt as { reason: string }).reason, /^unreadable manifest: /);
    const gone = await checkCacheManifest(join(root, 'no-posts'), cacheDir);
    assert.equal(gone.complete, false);
    assert.match((gone as { reason: string }).reason, /^cannot read the posts: .*does not exist/);
  });
});
