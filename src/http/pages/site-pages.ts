/**
 * Every page of a published view, worked out when it is asked for (issue #17): the HTML pages
 * through the theme's templates, the feeds, the sitemap, robots.txt. `resolvePage` says whether
 * the view has the page, what it depends on, and how to render it; the page store decides when.
 *
 * `deps` names everything the page shows: two views that give a page the same `deps` render it
 * to the same bytes, so when the view changes (a scheduled post goes live, a dev edit) exactly
 * the cached pages whose `deps` changed are dropped. A post a page only lists (a list entry, a
 * neighbour, a related post) counts by the fields lists show (`card`); the page's own post, and
 * every post of a feed (full text), by those and its body.
 *
 * Last-Modified of a page is the newest publication or update among the posts it depends on
 * (for a list, the whole list: page 2 changes date when a new post pushes one onto it), never
 * later than the view's `now`. A template change alone does not move it; the ETag does change.
 */
import { createHash } from 'node:crypto';
import {
  lastChanged,
  neighbours,
  type PublishedView,
  relatedPosts,
} from '../../content/site/published.ts';
import { pageOf } from '../../content/site/pagination.ts';
import type { Post, Site } from '../../content/types.ts';
import { FEED_FORMATS, feedPath, indexPath, tagPath } from '../paths.ts';
import { postAuthors } from './authors.ts';
import { FEED_CONTENT_TYPES, FEED_ENTRIES, renderFeed } from './feeds.ts';
import { blogPostingJsonLd } from './json-ld.ts';
import type { PageRef } from './page-ref.ts';
import { type RenderedPage, renderedPage, type RenderTemplate } from './rendered-page.ts';
import { OPENSEARCH_CONTENT_TYPE, renderOpenSearch } from './opensearch.ts';
import { renderRobots, renderSitemap } from './sitemap.ts';
import type { SiteMeta } from './site-meta.ts';

export interface PageContext {
  render: RenderTemplate;
  site: SiteMeta;
  pageSize: number;
  /** A post's or page's body (from the render cache). */
  body: Site['body'];
  /** More template data on every page (the dev server's badges and banner), and its identity. */
  extra?: { data(): Record<string, unknown>; key(): string } | undefined;
  /**
   * Whether pages carry Last-Modified. Not in the dev server's preview, which lists scheduled
   * posts: its lists would be dated by the clock, changing with every edit.
   */
  dated: boolean;
}

export interface PageSpec {
  /** What the page shows; see the file comment. */
  deps: string;
  render(): Promise<RenderedPage>;
}

const HTML = 'text/html; charset=utf-8';

const cards = new WeakMap<Post, string>();

/** The fields of a post that lists, neighbours and related posts show. */
function card(post: Post | undefined): string {
  if (!post) return '-';
  let found = cards.get(post);
  if (found === undefined) {
    found = JSON.stringify([
      post.slug,
      post.title,
      post.date.getTime(),
      post.updated?.getTime(),
      post.tags,
      post.summary,
      post.readingMinutes,
      post.draft,
      post.cover?.url,
    ]);
    cards.set(post, found);
  }
  return found;
}

/**
 * A post shown whole: its card, body and files, aliases, file (feed ids), and what its head and
 * byline say.
 */
const whole = (post: Post) =>
  `${card(post)}${JSON.stringify([post.bodyKey, post.mediaVersion, post.aliases, post.file, post.description, post.authors, post.canonical])}`;

/** The newest publication or update among `posts`, never later than the view's `now`. */
function lastChangedIn(view: PublishedView, posts: Iterable<Post | undefined>): Date | undefined {
  const latest = lastChanged(posts);
  return latest && latest > view.now ? view.now : latest;
}

function depsOf(context: PageContext, parts: (string | number | Date | undefined)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(`${part instanceof Date ? part.getTime() : part}\n`);
  if (context.extra) hash.update(context.extra.key());
  return hash.digest('base64url');
}

/**
 * One page of a list, with the links to the previous and next page as templates use them;
 * undefined past its last page (an empty list still has page 1).
 */
function listPage(
  posts: readonly Post[],
  size: number,
  page: number,
  pathOf: (n: number) => string,
) {
  const list = pageOf(posts, size, page);
  if (!list) return undefined;
  const { items, pages } = list;
  const previous = page > 1 ? pathOf(page - 1) : undefined;
  const next = page < pages ? pathOf(page + 1) : undefined;
  return { items, pagination: { page, pages, previous, next } };
}

/** `<link rel="alternate">` targets of a list's feeds. */
function feedLinks(tag?: string): { type: string; path: string }[] {
  return FEED_FORMATS.map((format) => ({
    type: FEED_CONTENT_TYPES[format].split(';')[0] ?? '',
    path: feedPath(format, tag),
  }));
}

/** The page `ref` of `view`, or undefined when the view has no such page. */
export function resolvePage(
  context: PageContext,
  view: PublishedView,
  ref: PageRef,
  path: string,
): PageSpec | undefined {
  const { site, pageSize } = context;
  /** A page showing `deps`, dated by the newest change among `posts`; `text` renders it. */
  const page = (
    contentType: string,
    posts: Iterable<Post | undefined>,
    deps: (string | number | undefined)[],
    text: () => Promise<string> | string,
  ): PageSpec => {
    const at = context.dated ? lastChangedIn(view, posts) : undefined;
    return {
      deps: depsOf(context, [...deps, at]),
      render: async () => renderedPage(await text(), contentType, at),
    };
  };
  const html = (
    template: string,
    posts: Iterable<Post | undefined>,
    deps: (string | number | undefined)[],
    data: Record<string, unknown>,
  ) =>
    page(HTML, posts, [template, ...deps], () => {
      const extra = context.extra?.data() ?? {};
      return context.render(template, { ...extra, canonical: path, ...data });
    });

  switch (ref.kind) {
    case 'index': {
      const list = listPage(view.posts, pageSize, ref.page, indexPath);
      if (!list) return undefined;
      const { items, pagination } = list;
      const shown = [pagination.page, pagination.pages, ...items.map(card)];
      return html('index.njk', view.posts, shown, { posts: items, pagination, feeds: feedLinks() });
    }
    case 'post': {
      const post = view.bySlug.get(ref.slug);
      if (!post) return undefined;
      const { older, newer } = neighbours(view, post);
      const related = relatedPosts(view, post);
      const shown = ['post', whole(post), card(older), card(newer), ...related.map(card)];
      return page(HTML, [post, older, newer, ...related], shown, async () => {
        const data = {
          ...(context.extra?.data() ?? {}),
          canonical: path,
          post: { ...post, ...(await context.body(post)) },
          // A byline when the site file names its authors (issue #18).
          authors: Object.keys(site.authors).length > 0 ? postAuthors(site, post) : [],
          older,
          newer,
          related,
          jsonLd: blogPostingJsonLd(site, post),
          ogType: 'article',
        };
        return context.render('post.njk', data);
      });
    }
    case 'tags': {
      const tags = [...view.tags.values()].map((tag) => ({
        name: tag.name,
        count: tag.posts.length,
        path: tagPath(tag.name),
      }));
      const shown = tags.map((tag) => `${tag.name} ${tag.count}`);
      return html('tags.njk', view.posts, shown, { tags });
    }
    case 'tag': {
      const tag = view.tags.get(ref.tag);
      const list = tag && listPage(tag.posts, pageSize, ref.page, (n) => tagPath(tag.name, n));
      if (!tag || !list) return undefined;
      const { items, pagination } = list;
      const shown = [tag.name, pagination.page, pagination.pages, ...items.map(card)];
      const data = { tag: tag.name, posts: items, pagination, feeds: feedLinks(tag.name) };
      return html('tag.njk', tag.posts, shown, data);
    }
    case 'archive':
      return html('archive.njk', view.posts, view.posts.map(card), { years: view.years });
    case 'feed': {
      const posts = ref.tag === undefined ? view.posts : view.tags.get(ref.tag)?.posts;
      if (!posts) return undefined;
      const entries = posts.slice(0, FEED_ENTRIES);
      const shown = ['feed', ref.format, ref.tag, ...entries.map(whole)];
      return page(FEED_CONTENT_TYPES[ref.format], posts, shown, async () => {
        const bodies = await Promise.all(
          entries.map(async (post) => (await context.body(post)).html),
        );
        return renderFeed(site, entries, bodies, ref.format, ref.tag);
      });
    }
    case 'sitemap': {
      const shown = ['sitemap', ...view.posts.map(card), ...view.pages.keys()];
      const xml = 'application/xml; charset=utf-8';
      return page(xml, view.posts, shown, () => renderSitemap(site.url, view));
    }
    case 'robots':
      return {
        deps: 'robots',
        render: async () => renderedPage(renderRobots(site.url), 'text/plain; charset=utf-8'),
      };
    case 'opensearch':
      return {
        deps: 'opensearch',
        render: async () => renderedPage(renderOpenSearch(site), OPENSEARCH_CONTENT_TYPE),
      };
    case 'page': {
      // A standalone page (issue #18): undated, so no Last-Modified; in no list.
      const standalone = view.pages.get(ref.slug);
      if (!standalone) return undefined;
      const { slug, title, description, draft, bodyKey } = standalone;
      return page(
        HTML,
        [],
        ['page', slug, title, description, String(draft), bodyKey],
        async () => {
          const { html } = await context.body(standalone);
          return context.render('page.njk', {
            ...(context.extra?.data() ?? {}),
            canonical: path,
            page: { ...standalone, html },
            pageTitle: title,
            pageDescription: description,
          });
        },
      );
    }
  }
}
