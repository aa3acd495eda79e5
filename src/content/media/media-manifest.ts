/**
 * The files beside the posts as a site serves them (issue #18), from the media entries of the
 * site index: each file's content-hashed URL, its size, and its variants' URLs.
 *
 * - An original: `/media/<path without extension>.<10 hex of its bytes' sha256><extension>`.
 * - A variant: `/media/<path without extension>.<10 hex of its key>-<width>w.<avif|webp>`; the
 *   key (variants.ts) changes with the bytes and with the encoder's options, so does the URL.
 * Both change with the content, so they are cached for a year, `immutable` (http/media.ts), the
 * way the theme's assets are (http/asset-manifest.ts). A URL with an older hash of a file that
 * is still shown redirects to the current one: a page cached before the change keeps its images.
 * - A post's social card (cards/cards.ts): `/media/<slug>.<10 hex of its key>-card.png`, known
 *   from the post's front matter without the card: it is drawn on its first request
 *   (cards/card-store.ts). The cards' table is made by the first request of one.
 * A URL answers only from this table, never by joining a request path to a folder.
 */
import { extname, resolve } from 'node:path';
import type { IndexEntry, MediaEntry } from '../cache/site-index.ts';
import { CARD_HEIGHT, CARD_WIDTH } from '../cards/card-layout.ts';
import type { CardStore } from '../cards/card-store.ts';
import { type CardSettings, type PostCard, postCard } from '../cards/cards.ts';
import type { MediaAnswer } from '../types.ts';
import { mediaDir, variantFile } from './media-cache.ts';
import { mediaKey, VARIANT_FORMATS, VARIANT_SOURCES, type VariantFormat } from './variants.ts';

/** One file as pages show it. */
export interface MediaFile {
  url: string;
  bytes: number;
  /** MIME type; `application/octet-stream` for a file that is not a known image. */
  type: string;
  /** In CSS pixels; absent when not an image, or one served as is without its size. */
  width?: number | undefined;
  height?: number | undefined;
  /** Each format's variants, smallest first; empty when the image is served as is. */
  variants: { format: VariantFormat; width: number; url: string }[];
  /** Why it is served as is (too large, corrupt, unsupported): a warning of the posts showing it. */
  problem?: string | undefined;
}

/** A post's social card as pages show it. */
export type CardFile = Pick<MediaFile, 'url' | 'type'> & { width: number; height: number };

export interface MediaManifest {
  /** The file at a path relative to the posts folder, if a post shows or links to it. */
  file(path: string): MediaFile | undefined;
  /** The social card of a post (its version `entry`): none with a cover. */
  card(entry: IndexEntry): CardFile | undefined;
  /** What a `/media/…` URL path (as requested) serves. */
  answer(urlPath: string): MediaAnswer | undefined;
  /** The cover of posts without one (the site file's `defaultCover`), if set. */
  defaultCover: DefaultCoverFile | undefined;
}

/** The site file's `defaultCover`: its image's path relative to the posts folder, and its alt. */
export interface DefaultCoverFile {
  path: string;
  alt: string;
}

/** Also the options of the loader's media files (site/media-files.ts), which make the manifest. */
export interface ManifestOptions {
  postsDir: string;
  cacheDir: string;
  /** Config `IMAGE_MAX_MB` in bytes: a larger image is served as is, never decoded. */
  maxImageBytes: number;
  /** The variants' widths (the site file's `images.widths`): other widths, other variants. */
  widths: readonly number[];
  /** The site file's `defaultCover`, one more image shown (when it exists). */
  defaultCover?: DefaultCoverFile | undefined;
}

/** The social cards (issue #18): what they share, the posts that may have one, where they are made. */
export interface ManifestCards {
  settings: CardSettings;
  posts: () => Iterable<IndexEntry>;
  store: CardStore;
}

const HASH_LENGTH = 10;
/** `<stem>.<hash>[-<width>w][.<ext>]` → `<stem>[-<width>w][.<ext>]`: the same file, any version. */
const HASHED = /^(.*)\.[0-9a-f]{10}((?:-\d+w|-card)?(?:\.[^./]*)?)$/;

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

/** `a/b c.png` and 1a2b3c4d5e → `/media/a/b%20c.1a2b3c4d5e.png` (and the stem for a variant). */
function hashedUrl(path: string, hash: string, suffix?: string): string {
  const ext = extname(path);
  const stem = encodePath(path.slice(0, path.length - ext.length));
  return `/media/${stem}.${hash.slice(0, HASH_LENGTH)}${suffix ?? encodeURIComponent(ext)}`;
}

const MIME: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  avif: 'image/avif',
  gif: 'image/gif',
  svg: 'image/svg+xml',
};

/** `20971520` → `20 MB`, `1.5e6` → `1.4 MB`: for the over-the-limit message. */
const megabytes = (bytes: number) => `${Math.round((bytes / 2 ** 20) * 10) / 10} MB`;

export function mediaManifest(
  entries: Iterable<MediaEntry>,
  { postsDir, cacheDir, maxImageBytes, widths, defaultCover }: ManifestOptions,
  cards?: ManifestCards,
): MediaManifest {
  const files = new Map<string, MediaFile>();
  /** URL → what it serves; logical name (no hash) → current URL. */
  const served = new Map<string, { root: string; file: string; card?: PostCard; post?: string }>();
  const current = new Map<string, string>();
  const posts = resolve(postsDir);
  const variantsDir = resolve(mediaDir(cacheDir));
  const serve = (url: string, root: string, file: string, card?: PostCard, post?: string) => {
    served.set(url, { root, file, card, post });
    current.set(url.replace(HASHED, '$1$2'), url);
  };

  for (const entry of entries) {
    const { path, source, image } = entry;
    const url = hashedUrl(path, Buffer.from(source.hash, 'base64url').toString('hex'));
    serve(url, posts, path);
    const file: MediaFile = {
      url,
      bytes: source.size,
      type: MIME[image?.format ?? ''] ?? 'application/octet-stream',
      variants: [],
    };
    files.set(path, file);
    if (!image) continue;
    if (source.size > maxImageBytes) {
      file.problem = `is ${megabytes(source.size)}, over IMAGE_MAX_MB (${megabytes(maxImageBytes)}): it is served as is, without variants`;
      continue;
    }
    file.problem = image.problem;
    if (image.problem) continue;
    file.width = image.width;
    file.height = image.height;
    if (!VARIANT_SOURCES.has(image.format)) continue;
    const key = mediaKey(source.hash, widths);
    for (const format of VARIANT_FORMATS) {
      for (const width of entry.variants) {
        const variantUrl = hashedUrl(path, key, `-${width}w.${format}`);
        serve(variantUrl, variantsDir, variantFile(key, width, format));
        file.variants.push({ format, width, url: variantUrl });
      }
    }
  }

  /** A post's card: its slug stands for the post, as `<path>` does for a file. */
  const cardUrl = (card: PostCard) => hashedUrl(`${card.slug}.png`, card.key, '-card.png');
  let cardsServed = cards === undefined;
  const serveCards = () => {
    if (cardsServed || !cards) return;
    cardsServed = true;
    for (const post of cards.posts()) {
      const card = postCard(post.frontMatter, cards.settings);
      if (card) serve(cardUrl(card), variantsDir, cards.store.file(card), card, post.path);
    }
  };
  const lookUp = (canonical: string) => {
    const found = served.get(canonical);
    if (found || !canonical.endsWith('-card.png')) return found;
    serveCards();
    return served.get(canonical);
  };

  return {
    defaultCover,
    file: (path) => files.get(path),
    card(entry) {
      const card = cards && postCard(entry.frontMatter, cards.settings);
      if (!card) return undefined;
      return { url: cardUrl(card), type: 'image/png', width: CARD_WIDTH, height: CARD_HEIGHT };
    },
    answer(urlPath) {
      let canonical: string;
      try {
        canonical = encodePath(decodeURIComponent(urlPath.split('?')[0] ?? ''));
      } catch {
        return undefined; // malformed percent-encoding
      }
      const found = lookUp(canonical);
      const { card, post } = found ?? {};
      if (found && card && cards) {
        const source = resolve(posts, post ?? '');
        return { root: found.root, file: found.file, card: () => cards.store.ensure(card, source) };
      }
      if (found) return { root: found.root, file: found.file };
      const moved = current.get(canonical.replace(HASHED, '$1$2'));
      return moved === undefined || !HASHED.test(canonical) ? undefined : { moved };
    },
  };
}
