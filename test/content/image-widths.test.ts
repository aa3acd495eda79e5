/**
 * The site file's `images.widths` (issue #18), from quire.yaml through the configuration and the
 * one loader to the render pool's image job, with real sharp: the variants are made at those
 * widths (and the image's own), once; other widths make new variants and prune the old ones.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { loadConfig } from '../../src/config.ts';
import { SiteLoader } from '../../src/content/site/site-loader.ts';
import type { Post } from '../../src/content/types.ts';
import { loaderOptions, siteIdentity } from '../../src/process/load.ts';
import { postSource, tempDir } from '../helpers/posts-dir.ts';

const png = (width: number, height: number, background: string) =>
  sharp({ create: { width, height, channels: 3, background } })
    .png()
    .toBuffer();

const root = await tempDir();
const postsDir = join(root, 'posts');
const cacheDir = join(root, 'cache');
const siteFile = join(root, 'quire.yaml');
await mkdir(join(postsDir, 'wide'), { recursive: true });
await writeFile(join(postsDir, 'wide', 'index.md'), postSource({ body: '![Wide](wide.png)\n' }));
await writeFile(join(postsDir, 'wide', 'wide.png'), await png(1000, 500, '#aa0000'));
await writeFile(join(postsDir, 'narrow.md'), postSource({ body: '![Narrow](narrow.png)\n' }));
await writeFile(join(postsDir, 'narrow.png'), await png(500, 250, '#00aa00'));

/** A start with `widths` in the site file: its load report and its site. */
async function start(widths: string) {
  await writeFile(siteFile, `title: Widths\nimages:\n  widths: ${widths}\n`);
  const config = loadConfig({ SITE_FILE: siteFile, POSTS_DIR: postsDir, CACHE_DIR: cacheDir }, []);
  const loader = new SiteLoader(loaderOptions(config));
  const report = await loader.load();
  return { report, site: loader.site(siteIdentity(config)) };
}

/** Each `<source>`'s type and the widths its srcset offers, in the body of post `slug`. */
async function srcsets(site: Awaited<ReturnType<typeof start>>['site'], slug: string) {
  const { html } = await site.body(site.bySlug.get(slug) as Post);
  return [...html.matchAll(/<source type="image\/(\w+)" srcset="([^"]+)"/g)].map(
    ([, format, srcset]) => ({
      format,
      widths: (srcset ?? '')
        .split(', ')
        .map((candidate) => Number(/ (\d+)w$/.exec(candidate)?.[1])),
      urls: (srcset ?? '').split(', ').map((candidate) => candidate.split(' ')[0] ?? ''),
    }),
  );
}

/** The variant files in the render cache (not the posts' social cards), with their mtimes. */
async function variantFiles(): Promise<Map<string, number>> {
  const dir = join(cacheDir, 'media');
  const files = new Map<string, number>();
  for (const name of await readdir(dir, { recursive: true })) {
    const stats = await stat(join(dir, name));
    if (stats.isFile() && /\.(avif|webp)$/.test(name)) files.set(name, stats.mtimeMs);
  }
  return files;
}

/** The width of the image each URL of `urls` serves, decoded by sharp, and its format. */
async function decoded(site: Awaited<ReturnType<typeof start>>['site'], urls: string[]) {
  return Promise.all(
    urls.map(async (url) => {
      const answer = site.media(url);
      assert.ok(answer && 'file' in answer, `${url} is served`);
      const { width, format } = await sharp(
        await readFile(join(answer.root, answer.file)),
      ).metadata();
      return { width, format };
    }),
  );
}

describe('the site file’s images.widths', () => {
  it('makes the variants at those widths below the image’s own (and its own), once; other widths make new ones and prune the old', async () => {
    const first = await start('[640, 320]');
    assert.equal(first.report.images, 2);
    for (const [slug, widths] of [
      ['wide', [320, 640, 1000]],
      ['narrow', [320, 500]],
    ] as const) {
      const sources = await srcsets(first.site, slug);
      assert.deepEqual(
        sources.map(({ format, widths: offered }) => ({ format, widths: offered })),
        [
          { format: 'avif', widths },
          { format: 'webp', widths },
        ],
        slug,
      );
      for (const { format, urls } of sources) {
        assert.deepEqual(
          await decoded(first.site, urls),
          widths.map((width) => ({ width, format: format === 'avif' ? 'heif' : 'webp' })),
          `${slug} ${format}`,
        );
      }
    }
    const made = await variantFiles();
    assert.equal(made.size, (3 + 2) * 2);

    const second = await start('[320, 640]');
    assert.equal(second.report.images, 0, 'the same widths: no image job');
    assert.deepEqual(await variantFiles(), made, 'not one file written again');

    const third = await start('[400, 800]');
    assert.equal(third.report.images, 2, 'other widths: both images again');
    const wide = await srcsets(third.site, 'wide');
    assert.deepEqual(wide[0]?.widths, [400, 800, 1000]);
    assert.deepEqual(
      (await decoded(third.site, wide[1]?.urls ?? [])).map(({ width }) => width),
      [400, 800, 1000],
    );
    for (const url of (await srcsets(first.site, 'wide')).flatMap(({ urls }) => urls)) {
      const answer = third.site.media(url);
      assert.ok(answer === undefined || 'moved' in answer, `${url} no longer serves a file`);
    }
    const now = await variantFiles();
    assert.equal(now.size, (3 + 2) * 2, 'the old widths’ variants pruned');
    assert.ok([...made.keys()].every((name) => !now.has(name)));
  });

  it('without images.widths, makes the default widths', async () => {
    const { report, site } = await start('[480, 960, 1440, 1920]');
    assert.equal(report.images, 2);
    await writeFile(siteFile, 'title: Widths\n');
    const config = loadConfig(
      { SITE_FILE: siteFile, POSTS_DIR: postsDir, CACHE_DIR: cacheDir },
      [],
    );
    const loader = new SiteLoader(loaderOptions(config));
    assert.equal((await loader.load()).images, 0, 'the default widths are those widths');
    assert.deepEqual((await srcsets(site, 'wide'))[0]?.widths, [480, 960, 1000]);
  });
});
