/**
 * Full-text search over the posts (issue #19), with minisearch. The index is made from what the
 * site index and the render cache hold, never by parsing Markdown again: each post's title, tags,
 * summary and the prose of its rendered body. Every word of a query must match (`AND`), by
 * prefix from three letters and, from four, with a typo per five letters (`fuzzy: 0.2`, so at
 * least one); a title match weighs most. `tag:` filters (query.ts) narrow the matches to posts carrying every such tag.
 */
import { decodeHTML } from 'entities';
import MiniSearch from 'minisearch';
import { collapseWhitespace } from '../markdown/text.ts';
import type { Post } from '../types.ts';
import { type SearchQuery, WORD_BOUNDARY } from './query.ts';

const BOOST = { title: 3, tags: 2 };
/**
 * Shorter words match only whole: a one-letter prefix would match most of the vocabulary, and
 * one typo in three letters most three-letter words (`cat`: car, can, bat).
 */
const PREFIX_FROM = 3;
const FUZZY_FROM = 4;
const BODIES_IN_FLIGHT = 16;

/** The code-block.ts wrapper: code is left out, as the word count leaves it out. */
const CODE_BLOCK = /<div class="code-block">[\s\S]*?<\/pre><\/div>/g;
/**
 * Tags that part words. htmlText (markdown/text.ts) parts at every tag, to count words; a reader
 * sees `<em>a</em>.` as "a.", and a snippet shows what a reader sees.
 */
const BLOCK_TAG =
  /<\/?(?:address|article|aside|blockquote|br|dd|details|div|dl|dt|figcaption|figure|h[1-6]|hr|li|ol|p|pre|section|summary|sup|table|td|th|tr|ul)\b[^>]*>/g;

/** The text search looks in and quotes from: the summary (unless the body starts with it), then the body's prose. */
export function searchText(post: Post, html: string): string {
  const body = html
    .replace(CODE_BLOCK, ' ')
    .replace(BLOCK_TAG, ' ')
    .replace(/<[^>]*>/g, '');
  const prose = collapseWhitespace(decodeHTML(body));
  return prose.startsWith(post.summary) ? prose : `${post.summary} ${prose}`;
}

export interface SearchHit {
  post: Post;
  /** The post's own words that matched, lower-cased: what a snippet marks. */
  terms: string[];
}

export interface SearchIndex {
  /** The posts `visible` lets through that match, best first (newest first for tags alone). */
  search(query: SearchQuery, visible: (post: Post) => boolean): SearchHit[];
}

/** Indexes `posts` (newest first), reading each body once through `body`. */
export async function buildSearchIndex(
  posts: readonly Post[],
  body: (post: Post) => Promise<string>,
): Promise<SearchIndex> {
  const index = new MiniSearch<{ id: number; title: string; tags: string; text: string }>({
    fields: ['title', 'tags', 'text'],
    tokenize: (text) => text.split(WORD_BOUNDARY),
    searchOptions: {
      boost: BOOST,
      prefix: (term) => term.length >= PREFIX_FROM,
      fuzzy: (term) => (term.length >= FUZZY_FROM ? 0.2 : false),
      combineWith: 'AND',
    },
  });
  // A batch at a time, so a large blog never has every body in memory at once.
  for (let start = 0; start < posts.length; start += BODIES_IN_FLIGHT) {
    const batch = posts.slice(start, start + BODIES_IN_FLIGHT);
    const htmls = await Promise.all(batch.map(body));
    index.addAll(
      batch.map((post, i) => ({
        id: start + i,
        title: post.title,
        tags: post.tags.join(' '),
        text: searchText(post, htmls[i] ?? ''),
      })),
    );
  }

  return {
    search({ words, tags }, visible) {
      const wanted = tags.map((tag) => tag.toLowerCase());
      const shown = (post: Post) =>
        visible(post) && wanted.every((tag) => post.tags.some((own) => own.toLowerCase() === tag));
      if (words.length === 0) {
        if (wanted.length === 0) return [];
        return posts.filter(shown).map((post) => ({ post, terms: [] }));
      }
      const postOf = (id: unknown) => posts[id as number] as Post;
      return index
        .search(words.join(' '), { filter: (result) => shown(postOf(result.id)) })
        .map((result) => ({ post: postOf(result.id), terms: result.terms }));
    },
  };
}
