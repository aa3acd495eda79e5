/**
 * The pages a reader is served, kept up to date with the clock (issue #3, scheduling).
 *
 * Pages are pre-rendered for one published view (see `src/content/published.ts`) and served from
 * memory. The view knows when it stops being true: `nextChange`, the date of the next scheduled
 * post. The first request after that moment rebuilds the view and re-renders every page (posts'
 * neighbours, related posts, lists, tags, feeds and the sitemap can all change), then is served;
 * requests meanwhile wait for the same rebuild. No restart, no file change needed.
 * Re-rendering everything is simple and takes about as long as startup's page rendering; it
 * happens once per scheduled post.
 *
 * The dev server fills `pages` itself (drafts and future posts with badges), so a dev store never
 * rebuilds, redirects or suggests: src/dev/ does that.
 */
import type { FastifyBaseLogger } from 'fastify';
import { nearest } from '../content/did-you-mean.ts';
import { publishedView } from '../content/published.ts';
import type { Site } from '../content/types.ts';
import type { FeedFormat } from './paths.ts';
import { postPath } from './paths.ts';
import { renderSite, renderTagFeed, type RenderTemplate } from './render/site.ts';
import type { SiteMeta } from './render/site-meta.ts';
import type { PageCache, RenderedPage } from './views.ts';

/** Pages may be cached this long by browsers and nginx, and served stale while revalidating. */
const MAX_AGE_SECONDS = 60;
const STALE_WHILE_REVALIDATE_SECONDS = 600;

export interface PageStoreOptions {
  site: Site;
  meta: SiteMeta;
  pageSize: number;
  now: () => Date;
  /** The dev server fills the pages; see above. */
  dev: boolean;
  logger: Pick<FastifyBaseLogger, 'info'>;
}

export interface PageStore {
  /** URL path (as in links, percent-encoded) → rendered page. */
  readonly pages: PageCache;
  /** Renders the first pages; `render` is @fastify/view's, available once plugins are ready. */
  start(render: RenderTemplate): Promise<void>;
  /** Undefined when the pages match the clock; else a promise that settles once they do. */
  refresh(): Promise<void> | undefined;
  /** Where an alias or former slug of a published post points now. */
  redirect(slug: string): string | undefined;
  /** `Cache-Control` for pages and feeds: never lasting past the next scheduled post. */
  cacheControl(): string;
  /** A published post whose slug is near the last segment of `path`, for the 404 page. */
  suggest(path: string): { title: string; path: string } | undefined;
  /** A tag's feed (rendered on first request), undefined for a tag with no published post. */
  tagFeed(tag: string, format: FeedFormat, path: string): RenderedPage | undefined;
}

export function createPageStore(options: PageStoreOptions): PageStore {
  const { site, meta, pageSize, now, dev, logger } = options;
  const pages: PageCache = new Map();
  let view = publishedView(site, now());
  let render: RenderTemplate | undefined;
  let rebuilding: Promise<void> | undefined;

  const rebuild = async () => {
    if (!render) throw new Error('page store used before start()');
    const started = performance.now();
    const next = publishedView(site, now());
    const fresh = await renderSite({ render, site: meta, pageSize }, next);
    view = next;
    pages.clear();
    for (const [path, page] of fresh) pages.set(path, page);
    return Math.round(performance.now() - started);
  };

  return {
    pages,

    async start(renderTemplate) {
      render = renderTemplate;
      if (!dev) await rebuild();
    },

    refresh() {
      if (dev) return undefined;
      if (rebuilding) return rebuilding;
      if (view.nextChange === undefined || now() < view.nextChange) return undefined;
      rebuilding = rebuild()
        .then((ms) => {
          const nextChange = view.nextChange?.toISOString();
          logger.info(
            { pages: pages.size, posts: view.posts.length, ms, nextChange },
            'scheduled post published: pages rebuilt',
          );
        })
        .finally(() => {
          rebuilding = undefined;
        });
      return rebuilding;
    },

    redirect(slug) {
      return dev ? undefined : view.redirects.get(slug);
    },

    cacheControl() {
      if (dev) return 'no-cache';
      const untilChange =
        view.nextChange === undefined
          ? Number.POSITIVE_INFINITY
          : Math.max(0, Math.floor((view.nextChange.getTime() - now().getTime()) / 1000));
      const maxAge = Math.min(MAX_AGE_SECONDS, untilChange);
      const stale = Math.min(STALE_WHILE_REVALIDATE_SECONDS, untilChange - maxAge);
      return stale > 0
        ? `public, max-age=${maxAge}, stale-while-revalidate=${stale}`
        : `public, max-age=${maxAge}`;
    },

    suggest(path) {
      if (dev) return undefined;
      const last =
        path
          .split('?')[0]
          ?.split('/')
          .findLast((part) => part !== '') ?? '';
      let word: string;
      try {
        word = decodeURIComponent(last);
      } catch {
        word = last;
      }
      const slug = word === '' ? undefined : nearest(word, [...view.bySlug.keys()]);
      const post = slug === undefined ? undefined : view.bySlug.get(slug);
      return post && { title: post.title, path: postPath(post.slug) };
    },

    tagFeed(tag, format, path) {
      const cached = pages.get(path);
      if (cached || dev) return cached;
      const page = renderTagFeed(meta, view, tag, format);
      if (page) pages.set(path, page);
      return page;
    },
  };
}
