/**
 * Social cards for posts without a cover (issue #18), through the real loader, render pool, satori,
 * resvg and sharp: a card is a PNG of 1200 × 630 pixels, a picture of its own post, in the colours
 * of the theme's stylesheet; it is made once and again only when what it shows changes; a post
 * with a cover has none; a theme without the colours is a clear warning and the site still loads.
 * No golden PNG: font rasterisation may differ between machines, so the structure is asserted.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { SiteLoader } from '../../src/content/site/site-loader.ts';
import { formatProblem, type Post, type Site } from '../../src/content/types.ts';
import { postSource, tempDir, THEME_STYLESHEET } from '../helpers/posts-dir.ts';

const PHOTO = fileURLToPath(new URL('../fixtures/media/posts/trip/photo.jpg', import.meta.url));

async function blog(posts: Record<string, string>, stylesheet = THEME_STYLESHEET) {
  const root = await tempDir();
  const postsDir = join(root, 'posts');
  const cacheDir = join(root, 'cache');
  await mkdir(postsDir);
  for (const [name, source] of Object.entries(posts)) {
    await mkdir(join(postsDir, name, '..'), { recursive: true });
    await writeFile(join(postsDir, name), source);
  }
  const loader = () =>
    new SiteLoader({
      postsDir,
      cacheDir,
      strict: true,
      cards: { siteTitle: 'A blog', stylesheet },
    });
  return { root, postsDir, cacheDir, loader };
}

const siteOf = (loader: SiteLoader) =>
  loader.site({ title: 'A blog', url: 'https://blog.example' });
const post = (site: Site, slug: string) => site.bySlug.get(slug) as Post;

/** The bytes a post's card URL serves, through the site's media table. */
async function cardBytes(site: Site, slug: string): Promise<Buffer> {
  const url = post(site, slug).socialCard?.url;
  assert.ok(url, `post ${slug} has a card`);
  const answer = site.media(url);
  assert.ok(answer && 'file' in answer, `${url} is served`);
  return readFile(join(answer.root, answer.file));
}

/** Every card in the render cache. */
async function cardFiles(cacheDir: string): Promise<string[]> {
  const names = await readdir(join(cacheDir, 'media'), { recursive: true });
  return names.filter((name) => String(name).endsWith('card.png')).sort();
}

describe('social cards', () => {
  it('gives each post without a cover a 1200 × 630 PNG of its own, and a post with a cover none', async () => {
    const { loader, cacheDir } = await blog({
      'first.md': postSource({ title: 'Notes on moving a blog to Kubernetes', date: '2026-03-01' }),
      'second.md': postSource({ title: 'Hello', date: '2026-05-17' }),
      'trip/index.md': postSource({
        title: 'A trip',
        extra: 'cover:\n  src: photo.jpg\n  alt: The hills at sunset',
      }),
    });
    await cp(PHOTO, join(cacheDir, '..', 'posts', 'trip', 'photo.jpg'));
    const loaded = loader();
    const report = await loaded.load();
    assert.equal(report.cards, 2);
    const site = siteOf(loaded);

    const [first, second] = await Promise.all([
      cardBytes(site, 'first'),
      cardBytes(site, 'second'),
    ]);
    for (const png of [first, second]) {
      const { width, height, format } = await sharp(png).metadata();
      assert.deepEqual({ width, height, format }, { width: 1200, height: 630, format: 'png' });
    }
    assert.ok(!first.equals(second), 'two posts, two pictures');
    // Not only other bytes: other pixels (the longer title covers more of the card).
    const [a, b] = await Promise.all([sharp(first).stats(), sharp(second).stats()]);
    assert.notDeepEqual(
      a.channels.map((channel) => channel.mean),
      b.channels.map((channel) => channel.mean),
    );
    assert.match(
      post(site, 'first').socialCard?.url ?? '',
      /^\/media\/first\.[0-9a-f]{10}-card\.png$/,
    );

    assert.equal(post(site, 'trip').socialCard, undefined, 'the cover is its picture');
    assert.equal((await cardFiles(cacheDir)).length, 2);
  });

  it('makes each card once: a second start makes none, a changed title remakes only its card', async () => {
    const { loader, postsDir, cacheDir } = await blog({
      'first.md': postSource({ title: 'First' }),
      'second.md': postSource({ title: 'Second' }),
    });
    const cold = loader();
    assert.equal((await cold.load()).cards, 2);
    const before = siteOf(cold);
    const files = await cardFiles(cacheDir);

    const warm = loader();
    assert.equal((await warm.load()).cards, 0, 'the second start makes none');
    assert.deepEqual(
      ['first', 'second'].map((slug) => post(siteOf(warm), slug).socialCard?.url),
      ['first', 'second'].map((slug) => post(before, slug).socialCard?.url),
    );

    await writeFile(join(postsDir, 'first.md'), postSource({ title: 'First, renamed' }));
    const edited = loader();
    assert.equal((await edited.load()).cards, 1, 'only the edited post gets a new card');
    const after = siteOf(edited);
    assert.notEqual(post(after, 'first').socialCard?.url, post(before, 'first').socialCard?.url);
    assert.equal(post(after, 'second').socialCard?.url, post(before, 'second').socialCard?.url);
    const now = await cardFiles(cacheDir);
    assert.equal(now.length, 2, 'the old card of the edited post is pruned');
    assert.equal(now.filter((name) => files.includes(name)).length, 1, 'the other card stays');
  });

  it('paints the theme stylesheet’s colours, the light ones of light-dark() pairs', async () => {
    const stylesheetDir = await tempDir();
    const stylesheet = join(stylesheetDir, 'style.css');
    await writeFile(
      stylesheet,
      [
        ':root {',
        '  --bg: light-dark(rgb(16, 32, 48), #ffffff); /* the card background */',
        '  --text: #fafafa;',
        '  --muted: #c0c0c0;',
        '  --link: #ff8000;',
        '  --rule: #808080;',
        '}',
        '@media (prefers-color-scheme: dark) { :root { --bg: #000000; --link: #00ff00; } }',
      ].join('\n'),
    );
    const { loader } = await blog({ 'first.md': postSource({ title: 'First' }) }, stylesheet);
    const loaded = loader();
    await loaded.load();
    const png = await cardBytes(siteOf(loaded), 'first');
    const pixel = async (x: number, y: number) => {
      const { data } = await sharp(png)
        .extract({ left: x, top: y, width: 1, height: 1 })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      return [...data];
    };
    assert.deepEqual(await pixel(1199, 629), [16, 32, 48], 'the background is --bg');
    assert.deepEqual(await pixel(600, 2), [255, 128, 0], 'the band at the top is --link');
  });

  it('warns with file:line and "did you mean" when the theme lacks a colour, and loads the posts without cards', async () => {
    const stylesheetDir = await tempDir();
    const stylesheet = join(stylesheetDir, 'style.css');
    await writeFile(
      stylesheet,
      'body { margin: 0 }\n\n:root {\n  --bg: #fff;\n  --text: #000;\n  --muted: #555;\n  --lnk: #00f;\n  --rule: #ccc;\n}\n',
    );
    const { loader } = await blog({ 'first.md': postSource({ title: 'First' }) }, stylesheet);
    const loaded = loader();
    const report = await loaded.load();
    assert.deepEqual(report.warnings.map(formatProblem), [
      `${stylesheet}:3: the social cards take the theme's colours from custom properties of its :root rule: missing --link (did you mean --lnk?)`,
    ]);
    assert.equal(report.cards, 0);
    const site = siteOf(loaded);
    assert.equal(post(site, 'first').title, 'First', 'the post is served');
    assert.equal(post(site, 'first').socialCard, undefined);
  });

  it('warns at the property’s line when a colour is not one a card can paint, and loads the posts without cards', async () => {
    const stylesheetDir = await tempDir();
    const stylesheet = join(stylesheetDir, 'style.css');
    await writeFile(
      stylesheet,
      ':root {\n  --bg: #fff;\n  --text: #000;\n  --muted: #555;\n  --link: var(--brand);\n  --rule: #ccc;\n}\n',
    );
    const { loader } = await blog({ 'first.md': postSource({ title: 'First' }) }, stylesheet);
    const loaded = loader();
    const report = await loaded.load();
    assert.deepEqual(report.warnings.map(formatProblem), [
      `${stylesheet}:5: --link is "var(--brand)": the social cards need a colour (a hex, rgb(), hsl() or named colour, or a light-dark() pair of them)`,
    ]);
    assert.equal(post(siteOf(loaded), 'first').socialCard, undefined);
  });

  it('gives a cluster worker, which opens the index, the cards its primary made', async () => {
    const { loader } = await blog({ 'first.md': postSource({ title: 'First' }) });
    const primary = loader();
    await primary.load();
    const worker = loader();
    assert.ok(await worker.open());
    const [made, opened] = [siteOf(primary), siteOf(worker)];
    assert.equal(opened.version, made.version, 'the worker serves the site its primary loaded');
    assert.equal(post(opened, 'first').socialCard?.url, post(made, 'first').socialCard?.url);
  });
});
