/**
 * What an image's responsive variants are (issue #18): AVIF and WebP at a few widths up to the
 * original's, so a browser fetches about the size it shows. Everything here, with sharp's
 * version, is in an image's key (`mediaKey`): changing it makes the variants again, under new
 * URLs, so no browser keeps an old one.
 */
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashPackageVersions } from '../cache/fingerprint.ts';

/**
 * The widths made below the original's (which is always made too) unless the site file's
 * `images.widths` names others: a phone, and the theme's 672 px column
 * (templates/assets/style.css `--measure`) at 1x, 1.5x (most laptops) and 2x and more.
 */
export const DEFAULT_WIDTHS: readonly number[] = [480, 960, 1440, 1920];

/** The variants' formats, in the order a `<picture>` offers them: the smaller first. */
export const VARIANT_FORMATS = ['avif', 'webp'] as const;
export type VariantFormat = (typeof VARIANT_FORMATS)[number];

/**
 * sharp's default qualities. AVIF at effort 2, not sharp's 4: slightly larger files for a much
 * faster encode, which a writer waits for after saving an image and a build for every image.
 */
export const ENCODERS = {
  avif: { quality: 50, effort: 2 },
  webp: { quality: 80, effort: 4 },
} as const;

/** The raster formats whose variants are made; GIF (animation), SVG and others are served as is. */
export const VARIANT_SOURCES: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'avif']);

/** The sizes of `<picture>`: the theme's column (style.css), the width of the screen on a phone. */
export const SIZES = '(min-width: 712px) 672px, calc(100vw - 40px)';

/** The widths of the variants of an image `width` wide, from `widths` (sorted, ascending). */
export function variantWidths(width: number, widths: readonly number[]): number[] {
  return [...widths.filter((w) => w < width), width];
}

/** By the widths' list: what shapes the variants but the image. */
const fingerprints = new Map<string, string>();

/**
 * The key of an image's variants: its bytes' hash (base64url) and what shapes the variants, the
 * widths included, so other `images.widths` make other variants (issue #18).
 */
export function mediaKey(sourceHash: string, widths: readonly number[]): string {
  const list = widths.join(',');
  let fingerprint = fingerprints.get(list);
  if (fingerprint === undefined) {
    const hash = createHash('sha256');
    hashPackageVersions(hash, [['sharp']], dirname(fileURLToPath(import.meta.url)));
    // `WIDTHS` as it was named before the widths could be set: the default's keys stay the same.
    hash.update(JSON.stringify({ WIDTHS: widths, VARIANT_FORMATS, ENCODERS }));
    fingerprint = hash.digest('hex');
    fingerprints.set(list, fingerprint);
  }
  return createHash('sha256').update(`${fingerprint}\0${sourceHash}`).digest('hex');
}
