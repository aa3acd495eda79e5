import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { INDEX_FILE } from '../../src/content/cache/site-index.ts';
import { loadTestSite, tempDir, writePosts } from '../helpers/posts-dir.ts';
import { runCli } from './run.ts';

async function site(posts: Parameters<typeof writePosts>[1]) {
  const root = await tempDir();
  await mkdir(join(root, 'posts'));
  await writePosts(join(root, 'posts'), posts);
  return root;
}

const render = (cwd: string, env: Record<string, string> = {}, ...args: string[]) =>
  runCli('render.ts', args, { cwd, env: { CACHE_DIR: '', ...env } });

describe('npm run render', () => {
  it('fills the render cache and its index, draws no social card, so that a start afterwards renders and validates nothing', async () => {
    const root = await site({
      'one.md': { title: 'One' },
      'two.md': { title: 'Two', body: '```js\nlet x = 1;\n```\n' },
    });
    const cacheDir = join(root, 'cache');
    const first = await render(root, { CACHE_DIR: cacheDir });
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /^2 posts in .*cache: 2 rendered, 0 already cached, 0 images processed \(\d+ ms\)\n$/,
    );
    const names = await readdir(cacheDir);
    assert.ok(names.includes(INDEX_FILE), 'the site index');
    const bodies = names.filter((name) => name !== INDEX_FILE && name !== 'media');
    assert.equal(bodies.length, 2, 'one body per post');
    // Cards are drawn when their URLs are first requested (test/content/social-cards.test.ts).
    assert.equal(existsSync(join(cacheDir, 'media')), false, 'no card, no variant');

    const { report } = await loadTestSite({
      postsDir: join(root, 'posts'),
      pagesDir: join(root, 'pages'),
      cacheDir,
      title: 'Quire',
      cards: {},
    });
    assert.deepEqual([report.rendered, report.validated, report.cached], [0, 0, 2]);
    assert.equal(existsSync(join(cacheDir, 'media')), false, 'nor does the start draw a card');

    const again = await render(root, {}, '--cache-dir', cacheDir);
    assert.match(again.stdout, /: 0 rendered, 2 already cached, 0 images processed \(/);
  });

  it('with --cards draws the social card of every published post, where a server looks for it, once', async () => {
    const root = await site({
      'one.md': { title: 'One' },
      'later.md': { title: 'Later', extra: 'draft: true' },
    });
    const cacheDir = join(root, 'cache');
    const first = await render(root, { CACHE_DIR: cacheDir }, '--cards');
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /, 0 images processed, 1 social card drawn \(\d+ ms\)\n$/);
    const media = join(cacheDir, 'media');
    const cards = (await readdir(media, { recursive: true })).filter((name) =>
      name.endsWith('card.png'),
    );
    assert.equal(cards.length, 1, 'the published post’s card, not the draft’s');
    const { format, width, height } = await sharp(join(media, cards[0]!)).metadata();
    assert.deepEqual([format, width, height], ['png', 1200, 630]);
    // Drawn through the URL a reader asks for: found there again, as a server would find it.
    const again = await render(root, { CACHE_DIR: cacheDir }, '--cards');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /, 0 social cards drawn \(/);
  });

  it('leaves the site index as it is when nothing changed, an image beside a post included', async () => {
    const root = await site({ 'one.md': { title: 'One', body: '![A dot](dot.png)\n' } });
    const dot = sharp({ create: { width: 64, height: 64, channels: 3, background: '#c00' } });
    await dot.png().toFile(join(root, 'posts', 'dot.png'));
    const cacheDir = join(root, 'cache');
    const first = await render(root, { CACHE_DIR: cacheDir });
    assert.equal(first.code, 0, first.stderr);
    const before = await stat(join(cacheDir, INDEX_FILE));
    const again = await render(root, { CACHE_DIR: cacheDir });
    assert.equal(again.code, 0, again.stderr);
    const after = await stat(join(cacheDir, INDEX_FILE));
    // A read-only cache (the production image, Kubernetes) would warn at every start otherwise.
    assert.equal(after.mtimeMs, before.mtimeMs, 'the index is not written again');
  });

  it('renders the standalone pages too, and stops on a broken site file (issue #18)', async () => {
    const root = await site({ 'one.md': {} });
    await mkdir(join(root, 'pages'));
    await writePosts(join(root, 'pages'), { 'about.md': '---\ntitle: About\n---\nHello.\n' });
    const cacheDir = join(root, 'cache');
    const result = await render(root, { CACHE_DIR: cacheDir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^1 post and 1 page in .*cache: 2 rendered, 0 already cached/);

    await writePosts(root, { 'quire.yaml': 'title: Notes\npagesize: 5\n' });
    assert.deepEqual(await render(root, { CACHE_DIR: join(root, 'other-cache') }), {
      code: 2,
      stdout: '',
      stderr:
        'quire: invalid site file:\nquire.yaml:2: unknown key "pagesize" (did you mean "pageSize"?)\n',
    });
    assert.equal(existsSync(join(root, 'other-cache')), false, 'nothing rendered');
  });

  it('exits 1 naming file:line when a post is invalid, and renders nothing', async () => {
    const root = await site({ 'ok.md': {}, 'bad.md': { date: 'someday' } });
    const result = await render(root, { CACHE_DIR: join(root, 'cache') });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^quire: .*bad\.md:3: .*date/m);
    assert.equal(existsSync(join(root, 'cache')), false);
  });

  it('exits 1 when the cache cannot be written (an image must not ship without it)', async () => {
    const root = await site({ 'one.md': {} });
    // A directory under a regular file: unwritable even for root.
    const cacheDir = join(root, 'posts', 'one.md', 'cache');
    const result = await render(root, { CACHE_DIR: cacheDir });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^quire: render cache .*one\.md\/cache is not writable: /m);
  });

  it('exits 2 naming the variable when a setting is invalid', async () => {
    const root = await site({ 'one.md': {} });
    const result = await render(root, { LOG_LEVEL: 'loud' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^quire: invalid configuration: .*LOG_LEVEL/);
  });
});
