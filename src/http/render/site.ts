/**
 * Every page of one published view, rendered: HTML pages through the theme's templates, the
 * site's feeds, the sitemap and robots.txt. Tag feeds are rendered on demand (`renderTagFeed`):
 * with full content, rendering all of them up front would cost memory for feeds few read.
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
  type FeedFormat,
  feedPath,
  indexPath,
  postPath,
  ROBOTS_PATH,
  SITEMAP_PATH,
  TAGS_PATH,
  tagPath,
} from '../paths.ts';
import { type PageCache, type RenderedPage, renderedPage } from '../views.ts';
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

export async function renderSite(
  context: SiteRenderContext,
  view: PublishedView,
): Promise<PageCache> {
  const { render, site, pageSize } = context;
  const pages: PageCache = new Map();
  const allChanged = changedBy(view, view.posts);
  const html = async (
    path: string,
    template: string,
    data: Record<string, unknown>,
    at = allChanged,
  ) =>
    pages.set(path, renderedPage(await render(template, { canonical: path, ...data }), HTML, at));

  const indexPages = paginate(view.posts, pageSize);
  for (const { number, items } of indexPages) {
    await html(indexPath(number), 'index.njk', {
      posts: items,
      pagination: pagination(number, indexPages.length, indexPath),
      feeds: feedLinks(),
    });
  }

  for (const post of view.posts) {
    const { older, newer } = neighbours(view, post);
    const related = relatedPosts(view, post);
    await html(
      postPath(post.slug),
      'post.njk',
      { post, older, newer, related, jsonLd: blogPostingJsonLd(site, post), ogType: 'article' },
      changedBy(view, [post, older, newer, ...related]),
    );
  }

  const tags = [...view.tags.values()].map((tag) => ({
    name: tag.name,
    count: tag.posts.length,
    path: tagPath(tag.name),
  }));
  await html(TAGS_PATH, 'tags.njk', { tags });
  for (const tag of view.tags.values()) {
    const tagPages = paginate(tag.posts, pageSize);
    const at = changedBy(view, tag.posts);
    for (const { number, items } of tagPages) {
      await html(
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
  }

  await html(ARCHIVE_PATH, 'archive.njk', { years: view.years });

  for (const format of FEED_FORMATS) {
    const body = renderFeed(site, view.posts, format);
    pages.set(feedPath(format), renderedPage(body, FEED_CONTENT_TYPES[format], allChanged));
  }
  pages.set(
    SITEMAP_PATH,
    renderedPage(renderSitemap(site.url, view), 'application/xml; charset=utf-8', allChanged),
  );
  pages.set(ROBOTS_PATH, renderedPage(renderRobots(site.url), 'text/plain; charset=utf-8'));
  return pages;
}

/** A tag's feed, or undefined when the tag has no published post. */
export function renderTagFeed(
  site: SiteMeta,
  view: PublishedView,
  tag: string,
  format: FeedFormat,
): RenderedPage | undefined {
  const summary = view.tags.get(tag);
  if (!summary) return undefined;
  const body = renderFeed(site, summary.posts, format, tag);
  return renderedPage(body, FEED_CONTENT_TYPES[format], changedBy(view, summary.posts));
}

/** `<link rel="alternate">` targets of a list's feeds. */
export function feedLinks(tag?: string): { type: string; path: string }[] {
  return FEED_FORMATS.map((format) => ({
    type: FEED_CONTENT_TYPES[format].split(';')[0] ?? '',
    path: feedPath(format, tag),
  }));
}
