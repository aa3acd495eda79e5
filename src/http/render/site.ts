/**
 * Every page of one published view, as a plan: for each URL path, how to render it (HTML pages
 * through the theme's templates, the feeds, the sitemap, robots.txt). The page store decides
 * when (see page-store.ts).
 *
 * Last-Modified of a page is the newest publication or update among the posts it depends on:
 * for a list, the whole list (so page 2 changes date when a new post pushes one onto it); for a
 * post, itself, its neighbours and its related posts. It is never later than the view's `now`.
 * A template change alone does not move it; the ETag (a hash of the bytes) does change.
 */
import { paginate } from '../../content/pagination.ts';
import {
  lastChanged,
  neighbours,
  type PublishedView,
  relatedPosts,
} from '../../content/published.ts';
import type { Post } from '../../content/types.ts';
import {
  ARCHIVE_PATH,
  FEED_FORMATS,
  feedPath,
  indexPath,
  postPath,
  ROBOTS_PATH,
  SITEMAP_PATH,
  TAGS_PATH,
  tagPath,
} from '../paths.ts';
import { type RenderedPage, renderedPage } from '../views.ts';
import { FEED_CONTENT_TYPES, renderFeed } from './feeds.ts';
import { blogPostingJsonLd } from './json-ld.ts';
import { renderRobots, renderSitemap } from './sitemap.ts';
import type { SiteMeta } from './site-meta.ts';

export type RenderTemplate = (template: string, data: Record<string, unknown>) => Promise<string>;

export interface SiteRenderContext {
  render: RenderTemplate;
  site: SiteMeta;
  pageSize: number;
}

/** Links to the previous and next page of a list, as templates use them. */
export interface Pagination {
  page: number;
  pages: number;
  previous: string | undefined;
  next: string | undefined;
}

function pagination(page: number, pages: number, pathOf: (page: number) => string): Pagination {
  return {
    page,
    pages,
    previous: page > 1 ? pathOf(page - 1) : undefined,
    next: page < pages ? pathOf(page + 1) : undefined,
  };
}

function changedBy(view: PublishedView, posts: Iterable<Post | undefined>): Date | undefined {
  const latest = lastChanged(posts);
  return latest && latest > view.now ? view.now : latest;
}

const HTML = 'text/html; charset=utf-8';

/** How to render one page, when it is asked for. */
export interface PagePlan {
  render: () => Promise<RenderedPage> | RenderedPage;
  /** Rendered ahead of requests (startup, after a scheduled post); tag feeds are not. */
  ahead: boolean;
}

/** URL path → how to render it: every page of the view. Building it renders nothing. */
export function planSite(context: SiteRenderContext, view: PublishedView): Map<string, PagePlan> {
  const { render, site, pageSize } = context;
  const plan = new Map<string, PagePlan>();
  const allChanged = changedBy(view, view.posts);
  const html = (path: string, template: string, data: Record<string, unknown>, at = allChanged) => {
    plan.set(path, {
      render: async () =>
        renderedPage(await render(template, { canonical: path, ...data }), HTML, at),
      ahead: true,
    });
  };
  const other = (path: string, contentType: string, text: () => string, at = allChanged) => {
    plan.set(path, { render: () => renderedPage(text(), contentType, at), ahead: true });
  };

  const indexPages = paginate(view.posts, pageSize);
  for (const { number, items } of indexPages) {
    html(indexPath(number), 'index.njk', {
      posts: items,
      pagination: pagination(number, indexPages.length, indexPath),
      feeds: feedLinks(),
    });
  }

  // Neighbours, related posts and JSON-LD are worked out when the page is rendered, so that
  // switching to a new view (a scheduled post) costs little before the first page is served.
  for (const post of view.posts) {
    plan.set(postPath(post.slug), {
      render: async () => {
        const { older, newer } = neighbours(view, post);
        const related = relatedPosts(view, post);
        const data = {
          canonical: postPath(post.slug),
          post,
          older,
          newer,
          related,
          jsonLd: blogPostingJsonLd(site, post),
          ogType: 'article',
        };
        const at = changedBy(view, [post, older, newer, ...related]);
        return renderedPage(await render('post.njk', data), HTML, at);
      },
      ahead: true,
    });
  }

  const tags = [...view.tags.values()].map((tag) => ({
    name: tag.name,
    count: tag.posts.length,
    path: tagPath(tag.name),
  }));
  html(TAGS_PATH, 'tags.njk', { tags });
  for (const tag of view.tags.values()) {
    const tagPages = paginate(tag.posts, pageSize);
    const at = changedBy(view, tag.posts);
    for (const { number, items } of tagPages) {
      html(
        tagPath(tag.name, number),
        'tag.njk',
        {
          tag: tag.name,
          posts: items,
          pagination: pagination(number, tagPages.length, (n) => tagPath(tag.name, n)),
          feeds: feedLinks(tag.name),
        },
        at,
      );
    }
    // With full content, rendering every tag's feeds ahead would cost memory for feeds few read.
    for (const format of FEED_FORMATS) {
      plan.set(feedPath(format, tag.name), {
        render: () =>
          renderedPage(
            renderFeed(site, tag.posts, format, tag.name),
            FEED_CONTENT_TYPES[format],
            at,
          ),
        ahead: false,
      });
    }
  }

  html(ARCHIVE_PATH, 'archive.njk', { years: view.years });

  for (const format of FEED_FORMATS) {
    other(feedPath(format), FEED_CONTENT_TYPES[format], () => renderFeed(site, view.posts, format));
  }
  other(SITEMAP_PATH, 'application/xml; charset=utf-8', () => renderSitemap(site.url, view));
  plan.set(ROBOTS_PATH, {
    render: () => renderedPage(renderRobots(site.url), 'text/plain; charset=utf-8'),
    ahead: true,
  });
  return plan;
}

/** `<link rel="alternate">` targets of a list's feeds. */
export function feedLinks(tag?: string): { type: string; path: string }[] {
  return FEED_FORMATS.map((format) => ({
    type: FEED_CONTENT_TYPES[format].split(';')[0] ?? '',
    path: feedPath(format, tag),
  }));
}
