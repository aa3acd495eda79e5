/**
 * The pages a reader is served (issue #17: pages on demand). A page is rendered from the templates
 * when it is first asked for, then kept in a least-recently-used cache bounded in bytes
 * (`PAGE_CACHE_MB`), so memory stays flat however many posts there are; a page that fell out is
 * rendered again when next asked for. Concurrent first requests for one page share its one render.
 *
 * What a reader can see is a published view of the site (published.ts), true until `nextChange`,
 * the date of the next scheduled post. The first request after that moment switches to the new
 * view and drops exactly the cached pages whose content changed (`deps` in pages/site-pages.ts).
 * The dev server replaces the site on every edit the same way (`replaceSite`).
 */
import type { FastifyBaseLogger } from 'fastify';
import { LRUCache } from 'lru-cache';
import { nearest } from '../content/source/did-you-mean.ts';
import { publishedView, type PublishedView } from '../content/site/published.ts';
import type { MediaAnswer, Site } from '../content/types.ts';
import type { HttpMetrics } from '../metrics.ts';
import { type PageRef, pathOf, refOf } from './pages/page-ref.ts';
import type { RenderedPage, RenderTemplate } from './pages/rendered-page.ts';
import { createSearch, type SearchRequest } from './pages/search-page.ts';
import { type PageContext, resolvePage } from './pages/site-pages.ts';
import type { SiteMeta } from './pages/site-meta.ts';
import { pagePath, postPath } from './paths.ts';

/** Pages may be cached this long by browsers and nginx, and served stale while revalidating. */
const MAX_AGE_SECONDS = 60;
const STALE_WHILE_REVALIDATE_SECONDS = 600;
/** With no scheduled post ahead: the same for every response. */
const CACHE_CONTROL = `public, max-age=${MAX_AGE_SECONDS}, stale-while-revalidate=${STALE_WHILE_REVALIDATE_SECONDS}`;
/** What a cached page costs besides its bytes (key, headers, entry), counted against the bound. */
const ENTRY_OVERHEAD_BYTES = 512;

export interface PageStoreOptions {
  site: Site;
  meta: SiteMeta;
  pageSize: number;
  now: () => Date;
  /** Bytes of rendered pages kept (config `PAGE_CACHE_MB`). */
  maxBytes: number;
  logger: Pick<FastifyBaseLogger, 'info' | 'error'>;
  metrics?: HttpMetrics | undefined;
  /** The dev server: every post is listed, with this template data on every page. */
  preview?: PageContext['extra'];
}

export interface PageStore {
  /** `render` is @fastify/view's, available once plugins are ready. */
  start(render: RenderTemplate): void;
  /**
   * The page `ref` as of now: at once when it is cached, a promise when it must be rendered,
   * undefined when there is no such page.
   */
  page(ref: PageRef): RenderedPage | Promise<RenderedPage> | undefined;
  /** Whether the page `ref` exists as of now, without rendering it. */
  has(ref: PageRef): boolean;
  /** The search page (pages/search-page.ts); undefined past the last page of its results. */
  search(request: SearchRequest): Promise<RenderedPage | undefined>;
  /** Where an alias or former slug of a published post points now. */
  redirect(slug: string): string | undefined;
  /** What a `/media/…` URL path serves in the current site (issue #18). */
  media(path: string): MediaAnswer | undefined;
  /** `Cache-Control` for pages and feeds: never lasting past the next scheduled post. */
  cacheControl(): string;
  /** A published post or page whose slug is near the last segment of `path`, for the 404 page. */
  suggest(path: string): { title: string; path: string } | undefined;
  /**
   * A new site (a dev edit). Returns the paths whose page changed: cached ones (dropped) and
   * those of `watched` (URL paths), the pages open in a browser.
   */
  replaceSite(site: Site, watched?: Iterable<string>): string[];
  /** Drops every page (the templates or the site file changed), and takes a new page size. */
  clear(pageSize?: number): void;
  /** What is cached now. */
  readonly cached: { pages: number; bytes: number };
}

interface CachedPage {
  page: RenderedPage;
  deps: string;
  ref: PageRef;
}

export function createPageStore(options: PageStoreOptions): PageStore {
  const { meta, pageSize, now, logger, metrics, preview } = options;
  let site = options.site;
  const viewOf = (of: Site) => publishedView(of, now(), preview !== undefined);
  let view = viewOf(site);
  const cache = new LRUCache<string, CachedPage>({
    maxSize: options.maxBytes,
    sizeCalculation: (entry, path) => entry.page.body.length + path.length + ENTRY_OVERHEAD_BYTES,
  });
  const inFlight = new Map<string, Promise<RenderedPage>>();
  /** Changes with every new view, so that a late render for an old one is not kept. */
  let generation = 0;
  let context: PageContext | undefined;
  const search = createSearch(logger, metrics);

  const spec = (of: PublishedView, ref: PageRef, path: string) => {
    if (!context) throw new Error('page store used before start()');
    return resolvePage(context, of, ref, path);
  };

  /** Switches to `next`; drops the cached pages it changes; returns their paths. */
  const switchTo = (next: PublishedView): string[] => {
    const dropped: string[] = [];
    for (const [path, entry] of [...cache.entries()]) {
      if (spec(next, entry.ref, path)?.deps !== entry.deps) {
        cache.delete(path);
        dropped.push(path);
      }
    }
    view = next;
    generation += 1;
    inFlight.clear();
    return dropped;
  };

  /** After `nextChange`: the new view, and only the pages it changed go. */
  const refresh = () => {
    if (preview || view.nextChange === undefined || now() < view.nextChange) return;
    const started = performance.now();
    const dropped = switchTo(viewOf(site));
    logger.info(
      {
        dropped: dropped.length,
        kept: cache.size,
        posts: view.posts.length,
        ms: Math.round(performance.now() - started),
        nextChange: view.nextChange?.toISOString(),
      },
      'scheduled post published',
    );
  };

  const render = (ref: PageRef, path: string): Promise<RenderedPage> | undefined => {
    const running = inFlight.get(path);
    if (running) return running;
    const found = spec(view, ref, path);
    if (!found) return undefined;
    const forGeneration = generation;
    const rendering = found.render().then(
      (page) => {
        metrics?.renders.inc({ kind: ref.kind });
        if (forGeneration === generation) {
          cache.set(path, { page, deps: found.deps, ref });
          inFlight.delete(path);
        }
        return page;
      },
      (error: unknown) => {
        if (forGeneration === generation) inFlight.delete(path);
        throw error;
      },
    );
    inFlight.set(path, rendering);
    return rendering;
  };

  return {
    start(renderTemplate) {
      context = {
        render: renderTemplate,
        site: meta,
        pageSize,
        body: (of) => site.body(of),
        extra: preview,
        dated: preview === undefined,
      };
      metrics?.cacheBytes.set(0);
    },

    page(ref) {
      refresh();
      const path = pathOf(ref);
      const hit = cache.get(path);
      if (hit) return hit.page;
      const rendering = render(ref, path);
      if (metrics && rendering)
        void rendering.then(
          () => metrics.cacheBytes.set(cache.calculatedSize),
          () => {},
        );
      return rendering;
    },

    has(ref) {
      refresh();
      return spec(view, ref, pathOf(ref)) !== undefined;
    },

    search(request) {
      refresh();
      if (!context) throw new Error('page store used before start()');
      return search.page(context, site, view, request);
    },

    redirect(slug) {
      refresh();
      return preview ? undefined : view.redirects.get(slug);
    },

    media: (path) => site.media(path),

    cacheControl() {
      if (preview) return 'no-cache';
      if (view.nextChange === undefined) return CACHE_CONTROL;
      const seconds = (view.nextChange.getTime() - now().getTime()) / 1000;
      const untilChange = Math.max(0, Math.floor(seconds));
      const maxAge = Math.min(MAX_AGE_SECONDS, untilChange);
      const stale = Math.min(STALE_WHILE_REVALIDATE_SECONDS, untilChange - maxAge);
      return stale > 0
        ? `public, max-age=${maxAge}, stale-while-revalidate=${stale}`
        : `public, max-age=${maxAge}`;
    },

    suggest(path) {
      if (preview) return undefined;
      const parts = (path.split('?')[0] ?? '').split('/');
      const last = parts.findLast((part) => part !== '') ?? '';
      let word: string;
      try {
        word = decodeURIComponent(last);
      } catch {
        word = last;
      }
      const slugs = [...view.bySlug.keys(), ...view.pages.keys()];
      const slug = word === '' ? undefined : nearest(word, slugs);
      if (slug === undefined) return undefined;
      const post = view.bySlug.get(slug);
      if (post) return { title: post.title, path: postPath(post.slug) };
      const page = view.pages.get(slug);
      return page && { title: page.title, path: pagePath(page.slug) };
    },

    replaceSite(next, watched = []) {
      const before = view;
      site = next;
      const after = viewOf(next);
      const changed = new Set(switchTo(after));
      for (const path of watched) {
        const ref = refOf(path);
        if (!ref || changed.has(path)) continue;
        if (spec(before, ref, path)?.deps !== spec(after, ref, path)?.deps) changed.add(path);
      }
      metrics?.cacheBytes.set(cache.calculatedSize);
      return [...changed];
    },

    clear(newPageSize) {
      if (newPageSize !== undefined && context) context.pageSize = newPageSize;
      cache.clear();
      generation += 1;
      inFlight.clear();
      metrics?.cacheBytes.set(0);
    },

    get cached() {
      return { pages: cache.size, bytes: cache.calculatedSize };
    },
  };
}
