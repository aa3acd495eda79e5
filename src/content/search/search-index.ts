/**
 * Full-text search over the posts (issue #19), with minisearch. The index is made from what the
 * site index and the render cache hold, never by parsing Markdown again: each post's title, tags,
 * summary and the prose of its rendered body. Every word of a query must match (`AND`), by
 * prefix from three letters and, from four, with a typo per five letters (`fuzzy: 0.2`, so at
 * least one); a title match weighs most. `tag:` filters (query.ts) narrow the matches to posts carrying every such tag.
 */
import { decodeHTML } from 'entities';
import MiniSearch, { type SearchResult } from 'minisearch';
import { collapseWhitespace } from '../markdown/text.ts';
import type { PublishedView } from '../site/published.ts';
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
  /** The text searched (`searchText`): what a snippet quotes. */
  text: string;
}

/** A search's matches, best first (newest first for tags alone), made into hits a page at a time. */
export interface SearchResults {
  /** How many posts matched. */
  length: number;
  /** The hits from `start` to `end` (exclusive). */
  slice(start: number, end: number): SearchHit[];
}

export interface SearchIndex {
  /** The posts of `view` that match. */
  search(query: SearchQuery, view: PublishedView): SearchResults;
}

/** What minisearch indexes of a post: `id` is the post's place in the indexed list. */
export interface SearchDocument {
  id: number;
  title: string;
  tags: string;
  text: string;
}

export function searchDocument(id: number, post: Post, html: string): SearchDocument {
  return { id, title: post.title, tags: post.tags.join(' '), text: searchText(post, html) };
}

/** The index's fields, words and matching rules (the module comment): the bench's floor uses them too. */
export function newMiniSearch(): MiniSearch<SearchDocument> {
  return new MiniSearch<SearchDocument>({
    fields: ['title', 'tags', 'text'],
    tokenize: (text) => text.split(WORD_BOUNDARY),
    searchOptions: {
      boost: BOOST,
      prefix: (term) => term.length >= PREFIX_FROM,
      fuzzy: (term) => (term.length >= FUZZY_FROM ? 0.2 : false),
      combineWith: 'AND',
    },
  });
}

/** Indexes `posts` (newest first), reading each body once through `body`. */
export async function buildSearchIndex(
  posts: readonly Post[],
  body: (post: Post) => Promise<string>,
): Promise<SearchIndex> {
  const index = newMiniSearch();
  // Kept for the snippets: a page of results then reads no body and strips no HTML.
  const texts: string[] = [];
  // A batch at a time, so a large blog never has every body in memory at once.
  for (let start = 0; start < posts.length; start += BODIES_IN_FLIGHT) {
    const batch = posts.slice(start, start + BODIES_IN_FLIGHT);
    const htmls = await Promise.all(batch.map(body));
    const documents = batch.map((post, i) => searchDocument(start + i, post, htmls[i] ?? ''));
    for (const document of documents) texts.push(document.text);
    index.addAll(documents);
  }
  const lowerTags = posts.map((post) => post.tags.map((tag) => tag.toLowerCase()));
  // The indexed posts a view does not show (scheduled ones), worked out once per view: a view
  // lasts until its next scheduled post goes live, and most hide none.
  const hiddenIn = new WeakMap<PublishedView, ReadonlySet<number>>();
  const hiddenBy = (view: PublishedView) => {
    let hidden = hiddenIn.get(view);
    if (hidden === undefined) {
      hidden = new Set(
        posts.flatMap((post, id) => (view.bySlug.get(post.slug) === post ? [] : [id])),
      );
      hiddenIn.set(view, hidden);
    }
    return hidden;
  };
  const hit = (id: number, terms: string[]): SearchHit => ({
    post: posts[id] as Post,
    terms,
    text: texts[id] ?? '',
  });

  return {
    search({ words, tags }, view) {
      const wanted = tags.map((tag) => tag.toLowerCase());
      const hidden = hiddenBy(view);
      const shown = (id: number) =>
        !hidden.has(id) && wanted.every((tag) => lowerTags[id]?.includes(tag));
      if (words.length === 0) {
        const ids = wanted.length === 0 ? [] : posts.flatMap((_, id) => (shown(id) ? [id] : []));
        return {
          length: ids.length,
          slice: (start, end) => ids.slice(start, end).map((id) => hit(id, [])),
        };
      }
      // No filter at all when there is nothing to leave out: minisearch then calls nothing per match.
      const filter =
        hidden.size === 0 && wanted.length === 0
          ? undefined
          : (result: SearchResult) => shown(result.id as number);
      const found = index.search(words.join(' '), { filter });
      return {
        length: found.length,
        slice: (start, end) =>
          found.slice(start, end).map((result) => hit(result.id as number, result.terms)),
      };
    },
  };
}
