/** One post of the site model, from its entry in the site index and the media manifest. */
import { createHash } from 'node:crypto';
import type { IndexEntry, StoredFrontMatter } from '../cache/site-index.ts';
import { resolveFile } from '../markdown/file-references.ts';
import type { MediaManifest } from '../media/media-manifest.ts';
import { toDate } from '../source/front-matter-schema.ts';
import type { FrontMatter, Post } from '../types.ts';

const WORDS_PER_MINUTE = 230;

export function toPost(file: string, entry: IndexEntry, media: MediaManifest): Post {
  const fm = entry.frontMatter;
  return {
    slug: fm.slug,
    title: fm.title,
    date: toDate(fm.date),
    updated: fm.updated === undefined ? undefined : toDate(fm.updated),
    tags: fm.tags,
    draft: fm.draft,
    aliases: fm.aliases,
    summary: fm.summary ?? entry.firstParagraph,
    readingMinutes: Math.max(1, Math.round(entry.wordCount / WORDS_PER_MINUTE)),
    file,
    bodyKey: entry.bodyKey,
    mediaVersion: mediaVersion(entry, media),
  };
}

/** What the post's pages show of its files: their URLs, sizes and variants. */
export function mediaVersion(entry: IndexEntry, media: MediaManifest): string {
  if (entry.files.length === 0) return '';
  const hash = createHash('sha256');
  for (const { target } of entry.files) {
    const path = resolveFile(entry.path, target);
    hash.update(`${target}\0${JSON.stringify(path === undefined ? null : media.file(path))}\n`);
  }
  return hash.digest('base64url');
}

/** Front matter as the index stores it: dates as the ISO strings `toDate` reads back. */
export function storedFrontMatter(fm: FrontMatter): StoredFrontMatter {
  return {
    title: fm.title,
    date: fm.date.toISOString(),
    updated: fm.updated?.toISOString(),
    tags: fm.tags,
    summary: fm.summary,
    draft: fm.draft,
    slug: fm.slug,
    aliases: fm.aliases,
    cover: fm.cover,
  };
}
