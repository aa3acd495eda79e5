/**
 * The two kinds of source file the one loader reads (issue #18): posts, and standalone pages.
 * Each says how a file is validated (loaded only when a file must be read: a start whose files
 * are all in the index never loads the YAML parser) and what the site model makes of its entry.
 */
import type { IndexEntry, StoredFrontMatter } from '../cache/site-index.ts';
import type { MediaManifest } from '../media/media-manifest.ts';
import type { ParseResult } from '../source/front-matter.ts';
import type { Page, PageFrontMatter, Post } from '../types.ts';
import { storedFrontMatter, toPage, toPost } from './post.ts';

/** What the cross-file rules read of any file's front matter (slug-clashes.ts, unknown-authors.ts). */
export interface SourceFields {
  slug: string;
  draft: boolean;
  aliases?: readonly string[];
  authors?: readonly string[];
  summary?: string | undefined;
  description?: string | undefined;
}

/**
 * Whether the site model reads a file's first paragraph (post.ts), so the index keeps it (issue
 * #17): a post's summary when front matter has none (its description falls back to the summary),
 * a page's description when front matter has none.
 */
export function needsFirstParagraph(fm: SourceFields): boolean {
  return 'date' in fm ? fm.summary === undefined : fm.description === undefined;
}

export interface SourceKind<F extends SourceFields, M> {
  /** Validates a file; its front matter as the index stores it. */
  parse(file: string, source: string): Promise<ParseResult<F>>;
  /** The site model of an entry; a post's takes its files' facts from the media manifest. */
  model(file: string, entry: IndexEntry<F>, media: MediaManifest): M;
}

export const POSTS: SourceKind<StoredFrontMatter, Post> = {
  async parse(file, source) {
    const { parsePost } = await import('../source/front-matter.ts');
    const parsed = parsePost(file, source);
    if (!parsed.ok) return parsed;
    const frontMatter = storedFrontMatter(parsed.post.frontMatter);
    return { ok: true, post: { ...parsed.post, frontMatter } };
  },
  model: toPost,
};

export const PAGES: SourceKind<PageFrontMatter, Page> = {
  async parse(file, source) {
    const { parsePage } = await import('../source/front-matter.ts');
    return parsePage(file, source);
  },
  model: toPage,
};
