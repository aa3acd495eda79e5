/**
 * The render pool's image job (issue #18), in a render child or in this process: what an image
 * beside a post is (its format, its size in CSS pixels as browsers orient it), and its AVIF and
 * WebP variants written into the render cache, once per key. A file that is not an image a
 * browser shows, or that cannot be decoded, is a problem of the image: it is served as it is.
 */
import { readFile } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import type { ImageInfo, ImageJob, ImageResult } from '../render/protocol.ts';
import { presentKeys, variantName, writeVariants } from './media-cache.ts';
import { svgInfo } from './svg-size.ts';
import { ENCODERS, VARIANT_FORMATS, VARIANT_SOURCES, variantWidths } from './variants.ts';

// Each image is read once: libvips' operation cache would only hold memory.
sharp.cache(false);

const SHOWN = 'use JPEG, PNG, WebP, AVIF, GIF or SVG';
const AS_IS = 'it is served as is, without variants';

export default async function processImage(job: ImageJob): Promise<ImageResult> {
  const started = performance.now();
  const done = (image: ImageInfo, variants: number[] = [], cacheError?: string): ImageResult => ({
    image,
    variants,
    cacheError,
    seconds: (performance.now() - started) / 1000,
  });
  if (/\.svg$/i.test(job.file)) return done(svgInfo(await readFile(job.file, 'utf8')));

  // From the file, not its bytes: libvips reads a header without reading the whole file.
  let metadata: Metadata;
  try {
    metadata = await sharp(job.file).metadata();
  } catch {
    return done({ format: 'unknown', problem: `is not an image Quire can read: ${SHOWN}` });
  }
  // sharp reads AVIF as HEIF with AV1 compression; HEIC is HEIF with HEVC, which browsers lack.
  const format =
    metadata.format === 'heif' && metadata.compression === 'av1' ? 'avif' : metadata.format;
  const { width, height } = metadata.autoOrient;
  const image: ImageInfo = { format, width, height };
  if (format !== 'gif' && !VARIANT_SOURCES.has(format)) {
    return done({ format, problem: `is in a format browsers do not show (${format}): ${SHOWN}` });
  }
  // Animated GIF and WebP keep their animation: served as they are.
  if (format === 'gif' || (metadata.pages ?? 1) > 1) return done(image);

  if (job.mode === 'metadata') return done(image);
  const widths = variantWidths(width, job.widths);
  try {
    if (job.mode === 'check') {
      await sharp(job.file).stats(); // decodes every pixel: a truncated file fails here
      return done(image);
    }
    if ((await presentKeys(job.mediaDir)).has(job.key)) return done(image, widths);
    const files = await encodeVariants(job.file, widths);
    try {
      await writeVariants(job.mediaDir, job.key, files);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return done(image, [], `render cache ${job.mediaDir} is not writable: ${reason}`);
    }
    return done(image, widths);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    const problem = `cannot be decoded, it may be corrupt or truncated (${reason}): ${AS_IS}`;
    return done({ format, problem });
  }
}

/** Every variant: each format at each width, from the image turned upright. */
async function encodeVariants(file: string, widths: number[]): Promise<Map<string, Buffer>> {
  const upright = sharp(file).rotate();
  const files = new Map<string, Buffer>();
  await Promise.all(
    widths.flatMap((width) =>
      VARIANT_FORMATS.map(async (format) => {
        const resized = upright.clone().resize({ width });
        const encoded =
          format === 'avif' ? resized.avif(ENCODERS.avif) : resized.webp(ENCODERS.webp);
        files.set(variantName(width, format), await encoded.toBuffer());
      }),
    ),
  );
  return files;
}
