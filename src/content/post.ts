/** One post of the site model from its front matter and rendered body. */
import type { FrontMatter, Post, RenderedBody } from './types.ts';

const WORDS_PER_MINUTE = 230;

/** `body` is missing only while the dev server claims slugs before rendering. */
export function toPost(file: string, fm: FrontMatter, body: RenderedBody | undefined): Post {
  return {
    slug: fm.slug,
    title: fm.title,
    date: fm.date,
    updated: fm.updated,
    tags: fm.tags,
    draft: fm.draft,
    aliases: fm.aliases,
    summary: fm.summary ?? body?.firstParagraph ?? '',
    html: body?.html ?? '',
    headings: body?.headings ?? [],
    readingMinutes: Math.max(1, Math.round((body?.wordCount ?? 0) / WORDS_PER_MINUTE)),
    file,
  };
}
