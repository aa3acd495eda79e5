/**
 * The site file's `defaultCover` (issue #18): the cover of every post without one of its own, from
 * quire.yaml through the configuration, the one loader and the image pipeline to the pages, link
 * previews, JSON-LD and feeds; such posts get no social card; a post with its own cover keeps it,
 * a standalone page has none. A missing default cover stops the start with a problem at its line
 * of the site file; a corrupt one is a warning there. A real app on a real socket.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { ContentError, formatProblem } from '../../src/content/types.ts';
import { createLogger } from '../../src/log.ts';
import { SiteLoader } from '../../src/content/site/site-loader.ts';
import { loadAndReport, loaderOptions } from '../../src/process/load.ts';
import { runCli } from '../cli/run.ts';
import { postSource, tempDir } from '../helpers/posts-dir.ts';

const PHOTO = fileURLToPath(new URL('../fixtures/media/posts/trip/photo.jpg', import.meta.url));
const ORIGIN = 'https://blog.example';
const SITE_FILE = [
  'title: Covers',
  'defaultCover:',
  '  src: images/cover.png', // line 3
  '  alt: A grey field',
  '',
].join('\n');

/** A blog with a default cover in its site file; `cover` is written as its image. */
async function blog(siteFile = SITE_FILE, cover?: Buffer) {
  const root = await tempDir();
  const postsDir = join(root, 'posts');
  const pagesDir = join(root, 'pages');
  await mkdir(join(postsDir, 'images'), { recursive: true });
  await mkdir(join(postsDir, 'trip'));
  await mkdir(pagesDir);
  const png = sharp({ create: { width: 1200, height: 600, channels: 3, background: '#888' } });
  await writeFile(join(postsDir, 'images', 'cover.png'), cover ?? (await png.png().toBuffer()));
  await writeFile(join(postsDir, 'plain.md'), postSource({ title: 'Plain', date: '2026-02-01' }));
  await writeFile(
    join(postsDir, 'trip', 'index.md'),
    postSource({ title: 'Trip', extra: 'cover: { src: photo.jpg, alt: The view from the top }' }),
  );
  await cp(PHOTO, join(postsDir, 'trip', 'photo.jpg'));
  await writeFile(join(pagesDir, 'about.md'), '---\ntitle: About\n---\nAbout this blog.\n');
  await writeFile(join(root, 'quire.yaml'), siteFile);
  const env = {
    SITE_FILE: join(root, 'quire.yaml'),
    POSTS_DIR: postsDir,
    PAGES_DIR: pagesDir,
    CACHE_DIR: join(root, 'cache'),
    SITE_URL: ORIGIN,
  };
  return { root, postsDir, env, config: loadConfig(env, []) };
}

const { config } = await blog();
const { site } = await loadAndReport(config, createLogger('silent'));
const app = buildApp(config, site, { logger: createLogger('silent') });
await app.ready();
after(() => app.close());

const get = async (url: string) => {
  const response = await app.inject({ url });
  assert.equal(response.statusCode, 200, url);
  return response;
};
const plain = (await get('/posts/plain')).body;
const trip = (await get('/posts/trip')).body;
const cover = /<div class="post-cover"><picture>.*?<img alt="A grey field" src="([^"]+)"/.exec(
  plain,
)?.[1];
const photo =
  /<div class="post-cover"><picture>.*?<img alt="The view from the top" src="([^"]+)"/.exec(
    trip,
  )?.[1];

describe('the site file’s default cover', () => {
  it('is the cover of a post without one: its page shows it first, as a <picture> of its variants', async () => {
    assert.match(cover ?? '', /^\/media\/images\/cover\.[0-9a-f]{10}\.png$/);
    assert.match(
      plain,
      /<img alt="A grey field" src="[^"]+" width="1200" height="600" fetchpriority="high" \/>/,
    );
    assert.match(
      plain,
      /<source type="image\/avif" srcset="\/media\/images\/cover\.[0-9a-f]{10}-480w\.avif 480w, /,
    );
    const served = await get(cover ?? '');
    assert.equal(served.headers['content-type'], 'image/png');
    assert.equal((await sharp(served.rawPayload).metadata()).width, 1200);
  });

  it('is its link preview, absolute, with size and alt text, and the post gets no social card', () => {
    for (const meta of [
      `<meta property="og:image" content="${ORIGIN}${cover}">`,
      '<meta property="og:image:type" content="image/png">',
      '<meta property="og:image:width" content="1200">',
      '<meta property="og:image:height" content="600">',
      '<meta property="og:image:alt" content="A grey field">',
      '<meta name="twitter:card" content="summary_large_image">',
      `<meta name="twitter:image" content="${ORIGIN}${cover}">`,
    ])
      assert.ok(plain.includes(meta), meta);
    assert.doesNotMatch(plain, /-card\.png/);
    assert.equal(site.bySlug.get('plain')?.socialCard, undefined);
  });

  it('is the image of its JSON-LD', () => {
    const json = /<script type="application\/ld\+json">(.*?)<\/script>/.exec(plain)?.[1] ?? '';
    assert.deepEqual((JSON.parse(json) as { image: unknown }).image, {
      '@type': 'ImageObject',
      url: `${ORIGIN}${cover}`,
      width: 1200,
      height: 600,
    });
  });

  it('is its image in the feeds: an enclosure in Atom and RSS, "image" in JSON Feed', async () => {
    const atom = (await get('/feed.xml')).body;
    const rss = (await get('/rss.xml')).body;
    const bytes = (await get(cover ?? '')).rawPayload.length;
    assert.ok(
      atom.includes(
        `<link rel="enclosure" href="${ORIGIN}${cover}" type="image/png" length="${bytes}"/>`,
      ),
    );
    assert.ok(
      rss.includes(`<enclosure length="${bytes}" type="image/png" url="${ORIGIN}${cover}"/>`),
    );
    const json = JSON.parse((await get('/feed.json')).body) as {
      items: { url: string; image?: string }[];
    };
    assert.deepEqual(
      json.items.map((item) => [item.url, item.image]),
      [
        [`${ORIGIN}/posts/plain`, `${ORIGIN}${cover}`],
        [`${ORIGIN}/posts/trip`, `${ORIGIN}${photo}`],
      ],
    );
  });

  it('leaves a post’s own cover in place, and a standalone page without one', async () => {
    assert.match(photo ?? '', /^\/media\/trip\/photo\.[0-9a-f]{10}\.jpg$/);
    assert.ok(trip.includes(`<meta property="og:image" content="${ORIGIN}${photo}">`));
    assert.ok(!trip.includes(cover ?? '-'), 'the default cover is not on it');
    const about = (await get('/about/')).body;
    assert.doesNotMatch(about, /post-cover|og:image|cover\.[0-9a-f]{10}/);
  });
});

describe('the dev server’s updates', () => {
  it('a default cover saved again changes exactly the posts without a cover of their own', async () => {
    const { postsDir, config: dev } = await blog();
    const loader = new SiteLoader({ ...loaderOptions(dev), strict: false });
    await loader.load();
    const before = loader.posts().find((post) => post.slug === 'plain')?.cover?.url;
    const image = sharp({ create: { width: 800, height: 400, channels: 3, background: '#246' } });
    const path = join(postsDir, 'images', 'cover.png');
    await writeFile(path, await image.png().toBuffer());
    const { changes } = await loader.update(path);
    assert.deepEqual(
      changes.map((change) => change.file),
      [join(postsDir, 'plain.md')],
    );
    const after = changes[0]?.after as { cover?: { url: string; width?: number } } | undefined;
    assert.notEqual(after?.cover?.url, before, 'a new hashed URL');
    assert.equal(after?.cover?.width, 800);
  });
});

describe('npm run export', () => {
  it('exports the default cover and its variants, byte for byte, beside the pages showing them', async () => {
    const { root, env } = await blog();
    const { code, stderr } = await runCli('export.ts', ['out'], { cwd: root, env });
    assert.equal(code, 0, stderr);
    const page = await readFile(join(root, 'out', 'posts', 'plain.html'), 'utf8');
    const urls = [...page.matchAll(/\/media\/images\/cover\.[^\s"]+/g)].map(([url]) => url);
    const original = urls.find((url) => url.endsWith('.png')) ?? '';
    assert.match(original, /^\/media\/images\/cover\.[0-9a-f]{10}\.png$/);
    assert.ok(urls.some((url) => url.endsWith('-480w.avif')));
    for (const url of new Set(urls)) {
      const exported = await readFile(join(root, 'out', url));
      const { width } = await sharp(exported).metadata();
      assert.equal(width, Number(/-(\d+)w\./.exec(url)?.[1] ?? 1200), url);
    }
    const exportedOriginal = await readFile(join(root, 'out', original));
    assert.ok(exportedOriginal.equals(await readFile(join(root, 'posts', 'images', 'cover.png'))));
    const media = await readdir(join(root, 'out', 'media'), { recursive: true });
    assert.ok(!media.some((name) => name.endsWith('-card.png')), 'no social card');
  });
});

describe('a default cover that cannot be shown', () => {
  it('missing, stops the start with a problem at its line of the site file, with the nearest name', async () => {
    const { root, config: broken } = await blog(SITE_FILE.replace('cover.png', 'cuver.png'));
    await assert.rejects(loadAndReport(broken, createLogger('silent')), (error: unknown) => {
      assert.ok(error instanceof ContentError);
      assert.deepEqual(
        error.problems.map((problem) => formatProblem(problem).replace(`${root}/`, '')),
        [
          'quire.yaml:3: "defaultCover.src": missing file "images/cuver.png" in the posts folder (did you mean "images/cover.png"?)',
        ],
      );
      return true;
    });
  });

  it('missing, is listed by npm run check at its line, which exits 1', async () => {
    const { root, env } = await blog(SITE_FILE.replace('cover.png', 'cuver.png'));
    const { code, stdout } = await runCli('check.ts', [], { cwd: root, env });
    assert.equal(code, 1);
    assert.equal(
      stdout.split('\n')[0]?.replace(`${root}/`, ''),
      'quire.yaml:3: "defaultCover.src": missing file "images/cuver.png" in the posts folder (did you mean "images/cover.png"?)',
    );
  });

  it('outside the posts folder, or not a file, is a problem at its line', async () => {
    for (const [src, message] of [
      ['../cover.png', '"defaultCover.src": file "../cover.png" is outside the posts folder'],
      [
        'https://example.com/cover.png',
        '"defaultCover.src" must be a file in the posts folder, relative to it (got "https://example.com/cover.png")',
      ],
    ]) {
      const { root, config: broken } = await blog(SITE_FILE.replace('images/cover.png', src ?? ''));
      await assert.rejects(loadAndReport(broken, createLogger('silent')), (error: unknown) => {
        assert.ok(error instanceof ContentError);
        const lines = error.problems.map((problem) =>
          formatProblem(problem).replace(`${root}/`, ''),
        );
        assert.deepEqual(lines, [`quire.yaml:3: ${message}`]);
        return true;
      });
    }
  });

  it('corrupt, is a warning at its line of the site file, and the posts are served with it as a plain file', async () => {
    const { root, postsDir, config: corrupt } = await blog(SITE_FILE, Buffer.from('not a png'));
    const warnings: string[] = [];
    const logger = createLogger('warn', {
      write: (line: string) => {
        const { msg } = JSON.parse(line) as { msg: string };
        warnings.push(msg.replace(`${root}/`, ''));
      },
    });
    const { site: served } = await loadAndReport(corrupt, logger);
    assert.deepEqual(warnings, [
      `quire.yaml:3: image ${postsDir}/images/cover.png is not an image Quire can read: use JPEG, PNG, WebP, AVIF, GIF or SVG`,
    ]);
    assert.match(
      served.bySlug.get('plain')?.cover?.html ?? '',
      /^<img alt="A grey field" src="\/media\/images\/cover\.[0-9a-f]{10}\.png" fetchpriority="high" \/>$/,
    );
  });
});
