/**
 * The render pool's image job (issue #18), with real sharp, in the pool's child processes: what an
 * image is, its variants written once into the render cache, and a phone photo's size as a
 * browser shows it (turned upright by its EXIF orientation).
 */
import assert from 'node:assert/strict';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { createRenderer, type ImageJob, renderWork } from '../../src/content/render/pool.ts';
import { DEFAULT_WIDTHS } from '../../src/content/media/variants.ts';
import { tempDir } from '../helpers/posts-dir.ts';

const dir = await tempDir();
const mediaDir = join(dir, 'media');
const job = (file: string, key: string, mode: ImageJob['mode'] = 'encode'): ImageJob => ({
  kind: 'image',
  file: join(dir, file),
  key: key.repeat(64),
  mediaDir,
  mode,
  widths: DEFAULT_WIDTHS,
});

await writeFile(
  join(dir, 'wide.png'),
  await sharp({ create: { width: 600, height: 300, channels: 3, background: '#0550ae' } })
    .png()
    .toBuffer(),
);
await writeFile(
  join(dir, 'diagram.svg'),
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 100"><rect width="400" height="100"/></svg>',
);
// Taken with the phone on its side: stored 300 × 200, shown 200 × 300.
await writeFile(
  join(dir, 'phone.jpg'),
  await sharp({ create: { width: 300, height: 200, channels: 3, background: '#888' } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toBuffer(),
);

describe('the image job', () => {
  it('in the render pool: says what each image is and writes the variants of a raster one once', async () => {
    const renderer = createRenderer(renderWork(0, 2));
    try {
      const [wide, diagram] = await Promise.all([
        renderer.image(job('wide.png', 'a')),
        renderer.image(job('diagram.svg', 'b')),
      ]);
      assert.deepEqual(wide.image, { format: 'png', width: 600, height: 300 });
      assert.deepEqual(wide.variants, [480, 600]);
      assert.deepEqual(diagram.image, { format: 'svg', width: 400, height: 100 });
      assert.deepEqual(diagram.variants, [], 'an SVG is served as it is');
      const files = (await readdir(join(mediaDir, 'a'.repeat(64)))).sort();
      assert.deepEqual(files, ['480.avif', '480.webp', '600.avif', '600.webp']);
      for (const name of files) {
        const { width, format } = await sharp(join(mediaDir, 'a'.repeat(64), name)).metadata();
        assert.equal(width, Number.parseInt(name, 10), name);
        assert.equal(format, name.endsWith('.avif') ? 'heif' : 'webp', name);
      }

      const written = (await stat(join(mediaDir, 'a'.repeat(64), '480.avif'))).mtimeMs;
      const again = await renderer.image(job('wide.png', 'a'));
      assert.deepEqual(again.variants, [480, 600]);
      const mtime = (await stat(join(mediaDir, 'a'.repeat(64), '480.avif'))).mtimeMs;
      assert.equal(mtime, written, 'the variants of a key are never written twice');
    } finally {
      await renderer.close();
    }
  });

  it('gives a photo the size a browser shows it at, and makes its variants upright', async () => {
    const renderer = createRenderer(0);
    const phone = await renderer.image(job('phone.jpg', 'c'));
    assert.deepEqual(phone.image, { format: 'jpeg', width: 200, height: 300 });
    const variant = await sharp(join(mediaDir, 'c'.repeat(64), '200.webp')).metadata();
    assert.deepEqual([variant.width, variant.height], [200, 300]);
  });

  it('reads only what it is asked to: a header, or every pixel, without writing variants', async () => {
    const renderer = createRenderer(0);
    for (const mode of ['metadata', 'check'] as const) {
      const result = await renderer.image(job('wide.png', 'd', mode));
      assert.deepEqual([result.image.width, result.variants], [600, []], mode);
    }
    assert.ok(!(await readdir(mediaDir)).includes('d'.repeat(64)));
  });
});
