/** One post of the site model, from its entry in the site index. */
import type { IndexEntry, StoredFrontMatter } from '../cache/site-index.ts';
import { toDate } from '../source/front-matter-schema.ts';
import type { FrontMatter, Post } from '../types.ts';

const WORDS_PER_MINUTE = 230;

export function toPost(file: string, entry: IndexEntry): Post {
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
    draft: fm.draft,
    slug: fm.slug,
    aliases: fm.aliases,
    cover: fm.cover,
  };
}
