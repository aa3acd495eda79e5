/**
 * A post's social card over HTTP (issue #18): the picture of its link previews when it has no
 * cover (og:image, twitter:image, absolute, with its size), served at its content-hashed `/media/`
 * URL as a PNG with immutable caching; a card of an older title redirects to the current one; a
 * post with a cover keeps its cover. A real site, a real app on a real socket.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { loadTestSite, postSource, tempDir } from '../helpers/posts-dir.ts';

const PHOTO = fileURLToPath(new URL('../fixtures/media/posts/trip/photo.jpg', import.meta.url));
const ORIGIN = 'https://blog.example';

const root = await tempDir();
const postsDir = join(root, 'posts');
const cacheDir = join(root, 'cache');
await mkdir(join(postsDir, 'trip'), { recursive: true });
await writeFile(join(postsDir, 'plain.md'), postSource({ title: 'Plain, first title' }));
await writeFile(
  join(postsDir, 'trip', 'index.md'),
  postSource({ title: 'A trip', extra: 'cover:\n  src: photo.jpg\n  alt: The hills' }),
);
await cp(PHOTO, join(postsDir, 'trip', 'photo.jpg'));

const load = () => loadTestSite({ postsDir, cacheDir, url: ORIGIN, cards: {} });
const { site: earlier } = await load();
const oldCard = earlier.bySlug.get('plain')?.socialCard?.url ?? '';
// The title changes: the post's card is made again, under a new URL.
await writeFile(join(postsDir, 'plain.md'), postSource({ title: 'Plain' }));
const { site } = await load();

const config = loadConfig({ SITE_URL: ORIGIN, POSTS_DIR: postsDir }, []);
const app = buildApp(config, site, { logger: createLogger('silent') });
const base = await app.listen({ host: '127.0.0.1', port: 0 });
after(() => app.close());

const get = (path: string) => fetch(new URL(path, base), { redirect: 'manual' });
const meta = (html: string, name: string) =>
  new RegExp(`<meta (?:property|name)="${name}" content="([^"]*)">`).exec(html)?.[1];

describe('a post’s social card', () => {
  const page = get('/posts/plain').then((response) => response.text());

  it('is the link preview of a post without a cover: absolute og:image and twitter:image, 1200 × 630', async () => {
    const html = await page;
    const image = meta(html, 'og:image') ?? '';
    assert.match(image, /^https:\/\/blog\.example\/media\/plain\.[0-9a-f]{10}-card\.png$/);
    assert.deepEqual(
      ['og:image:type', 'og:image:width', 'og:image:height', 'og:image:alt'].map((name) =>
        meta(html, name),
      ),
      ['image/png', '1200', '630', 'Plain'],
    );
    assert.equal(meta(html, 'twitter:card'), 'summary_large_image');
    assert.equal(meta(html, 'twitter:image'), image);
  });

  it('answers 200 with a 1200 × 630 PNG, cached for a year, immutable', async () => {
    const url = (meta(await page, 'og:image') ?? '').slice(ORIGIN.length);
    const response = await get(url);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const png = Buffer.from(await response.arrayBuffer());
    const { width, height, format } = await sharp(png).metadata();
    assert.deepEqual({ width, height, format }, { width: 1200, height: 630, format: 'png' });
  });

  it('of an older title redirects to the current card (a preview cached before the change)', async () => {
    const current = (meta(await page, 'og:image') ?? '').slice(ORIGIN.length);
    assert.notEqual(oldCard, current);
    const response = await get(oldCard);
    assert.equal(response.status, 301);
    assert.equal(response.headers.get('location'), current);
  });

  it('is not made for a post with a cover, whose preview stays its cover', async () => {
    const html = await (await get('/posts/trip')).text();
    assert.match(meta(html, 'og:image') ?? '', /\/media\/trip\/photo\.[0-9a-f]{10}\.jpg$/);
    assert.doesNotMatch(html, /-card\.png/);
    assert.equal(site.bySlug.get('trip')?.socialCard, undefined);
  });
});
