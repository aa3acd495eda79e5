/**
 * The search page, `/search?q=…&page=…` (issue #19): rendered for each request, never cached, as
 * every query is a page of its own. The index (content/search/) is built on a process's first
 * search, and again for a new site (a dev edit); it holds every post but drafts, and results are
 * those of the published view at this moment, so a scheduled post is found once it is live.
 */
import { nearest } from '../../content/source/did-you-mean.ts';
import { pageOf } from '../../content/site/pagination.ts';
import type { PublishedView } from '../../content/site/published.ts';
import { MAX_WORDS, parseQuery } from '../../content/search/query.ts';
import { buildSearchIndex, type SearchIndex } from '../../content/search/search-index.ts';
import { snippet } from '../../content/search/snippet.ts';
import type { Site } from '../../content/types.ts';
import type { FastifyBaseLogger } from 'fastify';
import type { HttpMetrics } from '../../metrics.ts';
import { SEARCH_PATH } from '../paths.ts';
import { type RenderedPage, renderedPage } from './rendered-page.ts';
import type { PageContext } from './site-pages.ts';

export const RESULTS_PER_PAGE = 10;

/** A search to answer (`query` may be empty: the form alone), or why it cannot be. */
export type SearchRequest = { query: string; page: number } | { problem: string };

const searchPath = (query: string, page: number) =>
  `${SEARCH_PATH}?q=${encodeURIComponent(query)}${page === 1 ? '' : `&page=${page}`}`;

/** The `tag:` filters no published post carries, each with the nearest tag there is. */
function unknownTags(view: PublishedView, wanted: readonly string[]) {
  const tags = [...view.tags.keys()];
  const lowerTags = new Set(tags.map((tag) => tag.toLowerCase()));
  return wanted
    .filter((tag) => !lowerTags.has(tag.toLowerCase()))
    .map((tag) => ({ tag, suggestion: nearest(tag, tags) }));
}

export function createSearch(
  logger: Pick<FastifyBaseLogger, 'info'>,
  metrics: HttpMetrics | undefined,
) {
  const indexes = new WeakMap<Site, Promise<SearchIndex>>();
  const indexOf = (site: Site) => {
    let index = indexes.get(site);
    if (index === undefined) {
      const started = performance.now();
      const posts = site.posts.filter((post) => !post.draft);
      index = buildSearchIndex(posts, async (post) => (await site.body(post)).html).then(
        (built) => {
          const ms = Math.round(performance.now() - started);
          logger.info({ posts: posts.length, ms }, 'search index built');
          return built;
        },
        (error: unknown) => {
          indexes.delete(site); // the next search tries again
          throw error;
        },
      );
      indexes.set(site, index);
    }
    return index;
  };

  /** The template data of a search, or undefined past its last page (bench/search-alone.ts times it). */
  const results = async (site: Site, view: PublishedView, query: string, page: number) => {
    const index = await indexOf(site);
    const started = performance.now();
    const parsed = parseQuery(query);
    const hits = index.search(parsed, view);
    const list = pageOf(hits, RESULTS_PER_PAGE, page);
    if (!list) return undefined;
    const shown = list.items.map(({ post, terms, text }) => ({ post, snippet: snippet(text, terms) }));
    metrics?.searchDuration.observe((performance.now() - started) / 1000);
    return {
      query,
      ignored: parsed.ignored,
      maxWords: MAX_WORDS,
      total: hits.length,
      results: shown,
      unknownTags: parsed.tags.length === 0 ? [] : unknownTags(view, parsed.tags),
      first: (page - 1) * RESULTS_PER_PAGE + 1,
      pagination: {
        page,
        pages: list.pages,
        previous: page > 1 ? searchPath(query, page - 1) : undefined,
        next: page < list.pages ? searchPath(query, page + 1) : undefined,
      },
    };
  };

  return {
    results,
    /** The page for `request`; undefined for a page past the last one of its results. */
    async page(
      context: PageContext,
      site: Site,
      view: PublishedView,
      request: SearchRequest,
    ): Promise<RenderedPage | undefined> {
      const data =
        'problem' in request
          ? request
          : request.query.trim() === ''
            ? {}
            : await results(site, view, request.query, request.page);
      if (data === undefined) return undefined;
      const extra = context.extra?.data() ?? {};
      return renderedPage(await context.render('search.njk', { ...extra, ...data }));
    },
  };
}
