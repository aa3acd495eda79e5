/**
 * The pages a reader is served, kept in step with the clock (issue #3, scheduling).
 *
 * A published view (src/content/published.ts) becomes a plan: every URL path and how to render
 * it (render/site.ts). At startup every page of the plan is rendered before the app is ready,
 * so serving is a Map lookup. The view knows when it stops being true: `nextChange`, the date of
 * the next scheduled post. The first request after that moment switches to a new view and plan
 * at once (cheap: no rendering), and drops the rendered pages: each page is rendered again when
 * first asked for, and the rest in the background, one at a time, so that no request waits for
 * the whole site (about 4.6 s for 1000 posts on the shared 2-core machine). Posts' neighbours,
 * related posts, lists, tags, feeds and the sitemap can all change, so every page is redone.
 * No restart, no file change needed.
 *
 * The dev server fills `pages` itself (drafts and future posts with badges), so a dev store has
 * no plan and never switches, redirects or suggests: src/dev/ does that.
 */
import type { FastifyBaseLogger } from 'fastify';
import { nearest } from '../content/did-you-mean.ts';
import { publishedView } from '../content/published.ts';
import type { Post, Site } from '../content/types.ts';
import { postPath } from './paths.ts';
import { type PagePlan, planSite, type RenderTemplate } from './render/site.ts';
import type { SiteMeta } from './render/site-meta.ts';
import type { PageCache, RenderedPage } from './views.ts';

/** Pages may be cached this long by browsers and nginx, and served stale while revalidating. */
const MAX_AGE_SECONDS = 60;
const STALE_WHILE_REVALIDATE_SECONDS = 600;
/** With no scheduled post ahead: the same for every response. */
const CACHE_CONTROL = `public, max-age=${MAX_AGE_SECONDS}, stale-while-revalidate=${STALE_WHILE_REVALIDATE_SECONDS}`;

export interface PageStoreOptions {
  site: Site;
  meta: SiteMeta;
  pageSize: number;
  now: () => Date;
  /** The dev server fills `pages` with the index and posts; the rest is rendered from this. */
  dev: DevPreview | undefined;
  logger: Pick<FastifyBaseLogger, 'info' | 'error'>;
}

export interface DevPreview {
  posts(): readonly Post[];
  context(): Record<string, unknown>;
}

export interface PageStore {
  /** URL path (as in links, percent-encoded) → rendered page. */
  readonly pages: PageCache;
  /** Renders every page ahead; `render` is @fastify/view's, available once plugins are ready. */
  start(render: RenderTemplate): Promise<void>;
  /**
   * The page at `path` as of now: at once when rendered already, a promise when it must be
   * rendered first, undefined when there is no such page.
   */
  page(path: string): RenderedPage | Promise<RenderedPage> | undefined;
  /** Where an alias or former slug of a published post points now. */
  redirect(slug: string): string | undefined;
  /** `Cache-Control` for pages and feeds: never lasting past the next scheduled post. */
  cacheControl(): string;
  /** A published post whose slug is near the last segment of `path`, for the 404 page. */
  suggest(path: string): { title: string; path: string } | undefined;
}

export function createPageStore(options: PageStoreOptions): PageStore {
  const { site, meta, pageSize, now, dev, logger } = options;
  const pages: PageCache = new Map();
  const inFlight = new Map<string, Promise<RenderedPage>>();
  let view = publishedView(site, now());
  let plan = new Map<string, PagePlan>();
  /** Changes with every switch of view, so that a late render of an old page is dropped. */
  let generation = 0;
  let render: RenderTemplate | undefined;

  const switchView = () => {
    if (!render) throw new Error('page store used before start()');
    view = publishedView(site, now());
    plan = planSite({ render, site: meta, pageSize }, view);
    generation += 1;
    pages.clear();
    inFlight.clear();
  };

  const renderPath = (path: string): Promise<RenderedPage> | undefined => {
    const entry = plan.get(path);
    if (!entry) return undefined;
    const running = inFlight.get(path);
    if (running) return running;
    const forGeneration = generation;
    const rendering = Promise.resolve(entry.render()).then(
      (page) => {
        if (forGeneration === generation) {
          pages.set(path, page);
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

  /** Renders every page planned ahead that nobody asked for yet, one at a time. */
  const renderAhead = async (yieldBetween: boolean) => {
    const forGeneration = generation;
    for (const [path, entry] of plan) {
      if (forGeneration !== generation) return; // a newer view took over
      if (!entry.ahead || pages.has(path)) continue;
      await renderPath(path);
      // Let requests in between pages: a request for a page is answered before the warm-up.
      if (yieldBetween) await new Promise((resolve) => setImmediate(resolve));
    }
  };

  /** After `nextChange`: the new view now, its pages on demand and in the background. */
  const refresh = () => {
    if (dev || view.nextChange === undefined || now() < view.nextChange) return;
    const started = performance.now();
    switchView();
    void renderAhead(true).then(
      () => {
        const ms = Math.round(performance.now() - started);
        const nextChange = view.nextChange?.toISOString();
        logger.info(
          { pages: pages.size, posts: view.posts.length, ms, nextChange },
          'scheduled post published: pages rebuilt',
        );
      },
      (error: unknown) => {
        // Pages not rendered ahead are rendered when asked for, and fail there visibly.
        logger.error({ err: error }, 'rendering pages ahead failed');
      },
    );
  };

  /** Dev server: a page of the writer's preview, rendered fresh on every request. */
  const renderPreview = (preview: DevPreview, path: string) => {
    if (!render) return undefined;
    const all = publishedView({ ...site, posts: preview.posts() }, now(), true);
    const withBadges: RenderTemplate = (template, data) =>
      (render as RenderTemplate)(template, { ...preview.context(), ...data });
    return planSite({ render: withBadges, site: meta, pageSize }, all).get(path)?.render();
  };

  return {
    pages,

    async start(renderTemplate) {
      render = renderTemplate;
      if (dev) return;
      switchView();
      await renderAhead(false);
    },

    page(path) {
      if (dev) return pages.get(path) ?? renderPreview(dev, path);
      refresh();
      return pages.get(path) ?? renderPath(path);
    },

    redirect(slug) {
      return dev ? undefined : view.redirects.get(slug);
    },

    cacheControl() {
      if (dev) return 'no-cache';
      if (view.nextChange === undefined) return CACHE_CONTROL;
      const untilChange = Math.max(
        0,
        Math.floor((view.nextChange.getTime() - now().getTime()) / 1000),
      );
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
  };
}
