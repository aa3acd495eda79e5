/**
 * A body's files in place (issue #18): the renderer marks each `<img>` and `<a>` naming a file
 * beside the post (markdown/file-references.ts) and this puts in the file's markup when a body
 * is read, from the media manifest, so bodies never depend on images' bytes.
 *
 * A raster image becomes a `<picture>` with its AVIF and WebP variants, and every image gets its
 * `width` and `height` (no layout shift). The first image of a page loads at once with a high
 * priority (it is likely the largest paint); the others load lazily and decode off the main
 * thread. An image served as is (corrupt, too large, GIF, SVG) stays an `<img>`.
 */
import { decodeHTMLAttribute } from 'entities';
import { FILE_ATTRIBUTE, fileTarget, resolveFile } from '../markdown/file-references.ts';
import { escapeHtml } from '../markdown/text.ts';
import type { MediaFile, MediaManifest } from './media-manifest.ts';
import { SIZES, VARIANT_FORMATS } from './variants.ts';

/**
 * The `width` and `height` the image lacks: both, or the one an author who wrote only the other
 * (`<img width="200">`) leaves out, in the image's proportions, so the browser can reserve its box.
 */
function missingSide(attributes: string, width: number, height: number): string {
  const given = (side: string) => Number(new RegExp(` ${side}="(\\d+)"`).exec(attributes)?.[1]);
  const [ownWidth, ownHeight] = [given('width'), given('height')];
  if (ownWidth && ownHeight) return '';
  if (ownWidth) return ` height="${Math.round((ownWidth * height) / width)}"`;
  if (ownHeight) return ` width="${Math.round((ownHeight * width) / height)}"`;
  return ` width="${width}" height="${height}"`;
}

const MARKED = new RegExp(`<(img|a)\\b([^>]*?) ${FILE_ATTRIBUTE}="([^"]*)"([^>]*)>`, 'g');

/**
 * The `<img>` (or `<picture>`) of `file`: `attributes` are the image's own (` alt="…"`, as the
 * sanitizer wrote them), `first` whether it is the page's first image. Without a file (a missing
 * one, shown as a `file:line` problem) the image keeps the target as written.
 */
export function imageHtml(
  file: MediaFile | undefined,
  attributes: string,
  target: string,
  first: boolean,
): string {
  let img = `<img${attributes} src="${escapeHtml(file?.url ?? target)}"`;
  if (file?.width && file.height) img += missingSide(attributes, file.width, file.height);
  if (!/ loading="/.test(attributes))
    img += first ? ' fetchpriority="high"' : ' loading="lazy" decoding="async"';
  img += ' />';
  if (!file?.variants.length) return img;
  const sources = VARIANT_FORMATS.map((format) => {
    const srcset = file.variants
      .filter((variant) => variant.format === format)
      .map((variant) => `${variant.url} ${variant.width}w`)
      .join(', ');
    return `<source type="image/${format}" srcset="${escapeHtml(srcset)}" sizes="${SIZES}" />`;
  });
  return `<picture>${sources.join('')}${img}</picture>`;
}

/**
 * `html` (a rendered body of the post at `postPath`, relative to the posts folder) with its
 * files' markup in place. `eager`: whether its first image is the page's first (no cover above).
 */
export function withMedia(
  html: string,
  postPath: string,
  manifest: MediaManifest,
  eager: boolean,
): string {
  let first = eager;
  return html.replace(
    MARKED,
    (_tag, name: string, before: string, written: string, after: string) => {
      const target = decodeHTMLAttribute(written);
      const path = resolveFile(postPath, target);
      const file = path === undefined ? undefined : manifest.file(path);
      const attributes = `${before}${after}`.replace(/\s*\/$/, '');
      if (name === 'a') {
        const href = file ? `${file.url}${fileTarget(target)?.suffix ?? ''}` : target;
        return `<a${attributes} href="${escapeHtml(href)}">`;
      }
      const image = imageHtml(file, attributes, target, first);
      first = false;
      return image;
    },
  );
}
