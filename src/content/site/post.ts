/**
 * One post or standalone page of the site model, from its entry in the site index (and, for a
 * post, the media manifest).
 */
import { createHash } from 'node:crypto';
import type { IndexEntry, PageEntry, StoredFrontMatter } from '../cache/site-index.ts';
import { resolveFile } from '../markdown/file-references.ts';
import { escapeHtml } from '../markdown/text.ts';
import { imageHtml } from '../media/media-markup.ts';
import type { MediaManifest } from '../media/media-manifest.ts';
import { toDate } from '../source/front-matter-schema.ts';
import type { FrontMatter, Page, Post, PostCover, SocialCard } from '../types.ts';

const WORDS_PER_MINUTE = 230;

export function toPost(file: string, entry: IndexEntry, media: MediaManifest): Post {
  const fm = entry.frontMatter;
  const summary = fm.summary ?? entry.firstParagraph;
  let socialCard: SocialCard | undefined | null = null;
  return {
    slug: fm.slug,
    title: fm.title,
    date: toDate(fm.date),
    updated: fm.updated === undefined ? undefined : toDate(fm.updated),
    tags: fm.tags,
    draft: fm.draft,
    aliases: fm.aliases,
    summary,
    description: fm.description ?? summary,
    authors: fm.authors,
    canonical: fm.canonical,
    readingMinutes: Math.max(1, Math.round(entry.wordCount / WORDS_PER_MINUTE)),
    file,
    bodyKey: entry.bodyKey,
    cover: coverOf(entry, media),
    // Worked out when a page shows it (its URL hashes what the card shows), not at a start.
    get socialCard() {
      if (socialCard === null) socialCard = media.card(entry);
      return socialCard;
    },
    mediaVersion: mediaVersion(entry, media),
  };
}

/**
 * Front matter `cover`, else the site file's `defaultCover` (issue #18), with its file's URL, size
 * and markup; undefined without either, or if the file is missing.
 */
function coverOf(entry: IndexEntry, media: MediaManifest): PostCover | undefined {
  const own = entry.frontMatter.cover;
  const cover = own ? { ...own, path: resolveFile(entry.path, own.src) } : defaultCover(media);
  const file = cover?.path === undefined ? undefined : media.file(cover.path);
  if (!cover || !file) return undefined;
  const { url, width, height, type, bytes } = file;
  const html = imageHtml(file, ` alt="${escapeHtml(cover.alt)}"`, cover.src, true);
  return { alt: cover.alt, url, width, height, type, bytes, html };
}

/** The default cover, its `src` the path it resolved to. */
function defaultCover(media: MediaManifest) {
  const cover = media.defaultCover;
  return cover && { src: cover.path, alt: cover.alt, path: cover.path };
}

/**
 * What the post's pages show of its files (their URLs, sizes and variants). Not its card: the
 * card's URL follows from its front matter and the site's settings alone.
 */
export function mediaVersion(entry: IndexEntry, media: MediaManifest): string {
  const cover = entry.frontMatter.cover ? undefined : defaultCover(media);
  if (entry.files.length === 0 && !cover) return '';
  const hash = createHash('sha256');
  // The default cover's alt text and file, as its own cover's are among its files.
  if (cover) hash.update(`${cover.alt}\0${JSON.stringify(media.file(cover.path) ?? null)}\n`);
  for (const { target } of entry.files) {
    const path = resolveFile(entry.path, target);
    hash.update(`${target}\0${JSON.stringify(path === undefined ? null : media.file(path))}\n`);
  }
  return hash.digest('base64url');
}

export function toPage(file: string, entry: PageEntry): Page {
  const fm = entry.frontMatter;
  return {
    slug: fm.slug,
    title: fm.title,
    draft: fm.draft,
    description: fm.description ?? entry.firstParagraph,
    file,
    bodyKey: entry.bodyKey,
  };
}

/** Front matter as the index stores it: dates as the ISO strings `toDate` reads back. */
export function storedFrontMatter(fm: FrontMatter): StoredFrontMatter {
  return {
    title: fm.title,
    date: fm.date.toISOString(),
    updated: fm.updated?.toISOString(),
    tags: fm.tags,
    summary: fm.summary,
    description: fm.description,
    authors: fm.authors,
    canonical: fm.canonical,
    draft: fm.draft,
    slug: fm.slug,
    aliases: fm.aliases,
    cover: fm.cover,
  };
}
