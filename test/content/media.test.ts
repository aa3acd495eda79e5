/**
 * Images and files beside posts (issue #18), through the real loader, renderer and sharp: a post
 * folder's golden markup, every problem a writer can make with its `file:line` message, images
 * served as they are when they cannot be shown well, and variants made once.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { SiteLoader } from '../../src/content/site/site-loader.ts';
import { ContentError, formatProblem, type Post, type Site } from '../../src/content/types.ts';
import { postSource, tempDir, writePosts } from '../helpers/posts-dir.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/media/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** A posts folder and a cache in a temporary directory, and a loader for them. */
async function blog(posts: Record<string, string | Buffer> = {}) {
  const root = await tempDir();
  const postsDir = join(root, 'posts');
  const cacheDir = join(root, 'cache');
  for (const [name, content] of Object.entries(posts)) {
    await mkdir(join(postsDir, name, '..'), { recursive: true });
    await writeFile(join(postsDir, name), content);
  }
  await mkdir(postsDir, { recursive: true });
  const loader = (options: { strict?: boolean; imageMaxMb?: number } = {}) =>
    new SiteLoader({ postsDir, cacheDir, strict: true, ...options });
  return { postsDir, cacheDir, loader };
}

const siteOf = (loader: SiteLoader) => loader.site({ title: 'T', url: 'https://blog.example' });
const post = (site: Site, slug: string) => site.bySlug.get(slug) as Post;
/** The body HTML of post `slug`, as its page shows it. */
const bodyOf = async (site: Site, slug: string) => (await site.body(post(site, slug))).html;

/** A PNG of `width` × `height` pixels of one colour. */
const png = (width: number, height: number, background = '#0550ae') =>
  sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toBuffer();

/** Every problem and warning, as a writer reads them, posts folder written as `posts/`. */
const lines = (problems: { file: string; line: number; message: string }[], postsDir: string) =>
  problems.map((problem) => formatProblem(problem).replaceAll(postsDir, 'posts'));

/** The files of the render cache's variants folder, with their modification times. */
async function variants(cacheDir: string): Promise<Map<string, number>> {
  const dir = join(cacheDir, 'media');
  const files = new Map<string, number>();
  for (const name of await readdir(dir, { recursive: true })) {
    const stats = await stat(join(dir, name));
    if (stats.isFile()) files.set(name, stats.mtimeMs);
  }
  return files;
}

describe('a post folder with images (golden)', () => {
  it('shows each raster image as a <picture> of AVIF and WebP variants with its size, SVG as a file, and links files by hashed URLs', async () => {
    const { postsDir, loader } = await blog();
    await cp(join(FIXTURES, 'posts'), postsDir, { recursive: true });
    const loaded = loader();
    const report = await loaded.load();
    assert.deepEqual(report.warnings, []);
    const site = siteOf(loaded);
    const trip = post(site, 'trip');
    assert.ok(trip, 'posts/trip/index.md is the post "trip": its folder names it');
    const body = (await site.body(trip)).html;
    const html = `<!-- cover -->\n${trip.cover?.html}\n<!-- body -->\n${body}`;
    const golden = join(FIXTURES, 'trip.html');
    if (UPDATE) await writeFile(golden, html);
    assert.equal(html, await readFile(golden, 'utf8'));

    // Every URL of the markup serves a file: originals from the posts folder, variants from the
    // render cache, each a real image of the width its URL says.
    const urls = new Set([...html.matchAll(/(\/media\/[^\s"#]+)/g)].map((match) => match[1] ?? ''));
    // The photo, diagram, shared image and notes; the photo at 3 widths, the shared image at 1.
    assert.equal(urls.size, 4 + (3 + 1) * 2);
    for (const url of urls) {
      const answer = site.media(url);
      assert.ok(answer && 'file' in answer, url);
      const bytes = await readFile(join(answer.root, answer.file));
      const width = /-(\d+)w\.(avif|webp)$/.exec(url);
      if (width) {
        const metadata = await sharp(bytes).metadata();
        assert.equal(metadata.width, Number(width[1]), url);
        assert.equal(width[2] === 'avif' ? 'heif' : 'webp', metadata.format, url);
      }
    }
  });
});

describe('files a post names must exist', () => {
  const photo = 'photo.jpg';
  it('a missing file, image or cover is a problem at its line, with the nearest name as the post would write it', async () => {
    const { postsDir, loader } = await blog({
      [`trip/${photo}`]: await png(10, 10),
      'images/shared.png': await png(10, 10),
      'trip/index.md': postSource({
        extra: 'cover: { src: photo.jpeg, alt: A photo }',
        body: [
          '![A photo](phot.jpg)', // line 6
          '[shared](../images/shard.png) and [fine](photo.jpg)',
          '![gone](nothing-like-it.gif)',
          '![escaped](../../outside.png)',
          '`![in code](missing.png)`',
          '',
        ].join('\n'),
      }),
    });
    const expected = [
      'posts/trip/index.md:4: missing file "photo.jpeg" (did you mean "photo.jpg"?)',
      'posts/trip/index.md:6: missing file "phot.jpg" (did you mean "photo.jpg"?)',
      'posts/trip/index.md:7: missing file "../images/shard.png" (did you mean "../images/shared.png"?)',
      'posts/trip/index.md:8: missing file "nothing-like-it.gif"',
      'posts/trip/index.md:9: file "../../outside.png" is outside the posts folder',
    ];
    await assert.rejects(loader().load(), (error: unknown) => {
      assert.ok(error instanceof ContentError);
      assert.deepEqual(lines([...error.problems], postsDir), expected);
      return true;
    });
    // The dev server's loader keeps going, with the same problems.
    const forgiving = loader({ strict: false });
    await forgiving.load();
    assert.deepEqual(lines(forgiving.problems(), postsDir), expected);
  });

  it('a cover must name a file beside the post', async () => {
    const { postsDir, loader } = await blog({
      'a.md': postSource({ extra: 'cover: { src: "https://example.com/a.jpg", alt: A photo }' }),
    });
    await assert.rejects(loader().load(), (error: unknown) => {
      assert.ok(error instanceof ContentError);
      assert.deepEqual(lines([...error.problems], postsDir), [
        'posts/a.md:4: "cover.src" must be a file beside the post, relative to its folder (got "https://example.com/a.jpg")',
      ]);
      return true;
    });
  });
});

describe('images that cannot be shown well', () => {
  it('are warnings naming the image and the post line, and are served as the files they are', async () => {
    const whole = await png(600, 400);
    const noise = await sharp({
      create: {
        width: 900,
        height: 900,
        channels: 3,
        background: '#888888',
        noise: { type: 'gaussian', mean: 128, sigma: 60 },
      },
    })
      .png()
      .toBuffer();
    assert.ok(noise.length > 2 ** 20, 'over 1 MB');
    const { postsDir, loader } = await blog({
      'trip/truncated.png': whole.subarray(0, Math.floor(whole.length / 2)),
      'trip/scan.tiff': await sharp(whole).tiff().toBuffer(),
      'trip/notes.txt': 'not an image',
      'trip/huge.png': noise,
      'trip/fine.png': whole,
      'trip/index.md': postSource({
        body: [
          '![Truncated](truncated.png)', // line 5
          '![A scan](scan.tiff)',
          '![Text](notes.txt)',
          '![Huge](huge.png)',
          '![Fine](fine.png)',
          '',
        ].join('\n'),
      }),
      'other.md': postSource({ title: 'Other', body: '![Fine](trip/fine.png)\n' }),
    });
    const loaded = loader({ imageMaxMb: 1 });
    const report = await loaded.load();
    const warnings = lines(report.warnings, postsDir);
    const truncated = warnings.shift() ?? '';
    assert.match(
      truncated,
      /^posts\/trip\/index\.md:5: image posts\/trip\/truncated\.png cannot be decoded, it may be corrupt or truncated \(.+\): it is served as is, without variants$/,
    );
    const megabytes = Math.round((noise.length / 2 ** 20) * 10) / 10;
    assert.deepEqual(warnings, [
      'posts/trip/index.md:6: image posts/trip/scan.tiff is in a format browsers do not show (tiff): use JPEG, PNG, WebP, AVIF, GIF or SVG',
      'posts/trip/index.md:7: image posts/trip/notes.txt is not an image Quire can read: use JPEG, PNG, WebP, AVIF, GIF or SVG',
      `posts/trip/index.md:8: image posts/trip/huge.png is ${megabytes} MB, over IMAGE_MAX_MB (1 MB): it is served as is, without variants`,
    ]);
    assert.deepEqual(loaded.imageWarnings(), report.warnings, 'what npm run check lists');

    // Each is a plain <img> of the file, with no size; the good image and the other post are
    // unaffected.
    const site = siteOf(loaded);
    const body = await bodyOf(site, 'trip');
    for (const [alt, name] of [
      ['Truncated', 'truncated'],
      ['A scan', 'scan'],
      ['Text', 'notes'],
      ['Huge', 'huge'],
    ]) {
      const img = new RegExp(
        `<img alt="${alt}" src="/media/trip/${name}\\.[0-9a-f]{10}\\.[a-z]+"( fetchpriority="high"| loading="lazy" decoding="async") />`,
      );
      assert.match(body, img, alt);
    }
    assert.match(body, /<picture>.*<img alt="Fine" [^>]*width="600" height="400"/);
    assert.match(await bodyOf(site, 'other'), /<picture>.*<img alt="Fine"/);
  });
});

describe('variants are made once', () => {
  it('a second start makes none; changing one image remakes its variants alone', async () => {
    const { postsDir, cacheDir, loader } = await blog({
      'one/index.md': postSource({ title: 'One', body: '![One](one.png)\n' }),
      'one/one.png': await png(600, 300, '#aa0000'),
      'two.md': postSource({ title: 'Two', body: '![Two](images/two.png)\n' }),
      'images/two.png': await png(500, 300, '#00aa00'),
    });
    const first = await loader().load();
    assert.equal(first.images, 2);
    const made = await variants(cacheDir);
    // one.png: 480 and 600 px, two.png: 480 and 500 px, each in AVIF and WebP.
    assert.equal(made.size, 8);

    const second = await loader().load();
    assert.deepEqual([second.images, second.rendered, second.validated], [0, 0, 0]);
    assert.deepEqual(await variants(cacheDir), made, 'not one file written again');

    /** The start of the variants' key in the URLs of the image of post `slug`. */
    const keyOf = async (slug: string) => {
      const started = loader();
      await started.load();
      const site = siteOf(started);
      return /\.([0-9a-f]{10})-\d+w\.avif/.exec(await bodyOf(site, slug))?.[1] ?? '';
    };
    const [oneBefore, two] = [await keyOf('one'), await keyOf('two')];
    await writeFile(join(postsDir, 'one/one.png'), await png(600, 300, '#0000aa'));
    const third = await loader().load();
    assert.deepEqual([third.images, third.rendered], [1, 0]);
    const after = await variants(cacheDir);
    const oneAfter = await keyOf('one');
    assert.notEqual(oneAfter, oneBefore, 'new variants, under a new URL');
    const of = (files: Map<string, number>, key: string) =>
      [...files].filter(([name]) => name.startsWith(key));
    assert.deepEqual(of(after, two), of(made, two), "two.png's variants untouched");
    assert.equal(of(after, oneAfter).length, 4);
    assert.equal(of(after, oneBefore).length, 0, "one.png's old variants pruned");
    assert.equal(after.size, 8);
  });

  it('a start after the variants were lost from the cache makes them again', async () => {
    const { cacheDir, loader } = await blog({
      'a.md': postSource({ body: '![A](a.png)\n' }),
      'a.png': await png(300, 200),
    });
    await loader().load();
    await rm(join(cacheDir, 'media'), { recursive: true });
    const again = await loader().load();
    assert.equal(again.images, 1);
    assert.equal((await variants(cacheDir)).size, 2);
  });
});

describe('the dev server’s updates', () => {
  it('an image saved again changes exactly the posts showing it; a deleted one is a problem until it is back', async () => {
    const { postsDir, loader } = await blog({
      'a.md': postSource({ title: 'A', body: '![Shared](images/shared.png)\n' }),
      'b.md': postSource({ title: 'B', body: '[the file](images/shared.png)\n' }),
      'c.md': postSource({ title: 'C', body: 'No files.\n' }),
      'images/shared.png': await png(300, 200),
    });
    const dev = loader({ strict: false });
    await dev.load();
    const before = siteOf(dev);
    const image = join(postsDir, 'images/shared.png');

    await writeFile(image, await png(320, 200));
    const update = await dev.update(image);
    assert.deepEqual(update.changes.map((change) => change.after?.slug).sort(), ['a', 'b']);
    const after = siteOf(dev);
    const a = await bodyOf(after, 'a');
    assert.match(a, /width="320" height="200"/);
    assert.notEqual(a, await bodyOf(before, 'a'));
    assert.equal(post(after, 'c'), post(before, 'c'), 'a post without the image is the same post');

    await rm(image);
    const gone = await dev.update(image);
    assert.ok(gone.problemsChanged);
    assert.deepEqual(lines(dev.problems(), postsDir), [
      'posts/a.md:5: missing file "images/shared.png"',
      'posts/b.md:5: missing file "images/shared.png"',
    ]);
    await writeFile(image, await png(300, 200));
    await dev.update(image);
    assert.deepEqual(dev.problems(), []);
    assert.match(await bodyOf(siteOf(dev), 'a'), /width="300" height="200"/);
  });

  it('a post saved with a new image shows it once the image is there', async () => {
    const { postsDir, loader } = await blog({ 'a.md': postSource({ title: 'A' }) });
    const dev = loader({ strict: false });
    await dev.load();
    await writePosts(postsDir, { 'a.md': postSource({ title: 'A', body: '![New](new.png)\n' }) });
    await dev.update(join(postsDir, 'a.md'));
    assert.deepEqual(lines(dev.problems(), postsDir), ['posts/a.md:5: missing file "new.png"']);
    assert.doesNotMatch(await bodyOf(siteOf(dev), 'a'), /New/, 'the last good');
    await writeFile(join(postsDir, 'new.png'), await png(200, 100));
    const update = await dev.update(join(postsDir, 'new.png'));
    assert.deepEqual(
      update.changes.map((change) => change.after?.slug),
      ['a'],
    );
    assert.match(await bodyOf(siteOf(dev), 'a'), /<img alt="New" [^>]*width="200"/);
  });
});
