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
 * Last-Modified of a page is the newest publication or update among the posts it depends on:
 * for a list, the whole list (so page 2 changes date when a new post pushes one onto it); for a
 * post, itself, its neighbours and its related posts. It is never later than the view's `now`.
 * A template change alone does not move it; the ETag (a hash of the bytes) does change.
 */
import { createHash } from 'node:crypto';
import {
  lastChanged,
  neighbours,
  type PublishedView,
  relatedPosts,
} from '../../content/site/published.ts';
import type { Post } from '../../content/types.ts';
import { FEED_FORMATS, feedPath, indexPath, tagPath } from '../paths.ts';
import { FEED_CONTENT_TYPES, FEED_ENTRIES, renderFeed } from './feeds.ts';
import { blogPostingJsonLd } from './json-ld.ts';
import type { PageRef } from './page-ref.ts';
import { type RenderedPage, renderedPage, type RenderTemplate } from './rendered-page.ts';
import { renderRobots, renderSitemap } from './sitemap.ts';
import type { SiteMeta } from './site-meta.ts';

export interface PageContext {
  render: RenderTemplate;
  site: SiteMeta;
  pageSize: number;
  /** A post's body HTML (from the render cache). */
  body: (post: Post) => Promise<string>;
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

/** Links to the previous and next page of a list, as templates use them. */
export interface Pagination {
  page: number;
  pages: number;
  previous: string | undefined;
  next: string | undefined;
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
    ]);
    cards.set(post, found);
  }
  return found;
}

/** A post shown whole: its card, its body, its aliases, its file (feed ids). */
const whole = (post: Post) => `${card(post)}${post.bodyKey}${post.aliases.join()}${post.file}`;

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

/** One page of a list, or undefined past its last page (an empty list still has page 1). */
function listPage(posts: readonly Post[], size: number, page: number) {
  const pages = Math.max(1, Math.ceil(posts.length / size));
  if (page < 1 || page > pages) return undefined;
  return { items: posts.slice((page - 1) * size, page * size), pages };
}

function pagination(page: number, pages: number, pathOf: (page: number) => string): Pagination {
  return {
    page,
    pages,
    previous: page > 1 ? pathOf(page - 1) : undefined,
    next: page < pages ? pathOf(page + 1) : undefined,
  };
}

/** `<link rel="alternate">` targets of a list's feeds. */
export function feedLinks(tag?: string): { type: string; path: string }[] {
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
  const changedBy = (view: PublishedView, posts: Iterable<Post | undefined>) =>
    context.dated ? lastChangedIn(view, posts) : undefined;
  const html = (
    template: string,
    data: Record<string, unknown>,
    at: Date | undefined,
    deps: (string | number | Date | undefined)[],
  ): PageSpec => ({
    deps: depsOf(context, [template, at, ...deps]),
    render: async () => {
      const extra = context.extra?.data() ?? {};
      const text = await context.render(template, { ...extra, canonical: path, ...data });
      return renderedPage(text, HTML, at);
    },
  });

  switch (ref.kind) {
    case 'index': {
      const list = listPage(view.posts, pageSize, ref.page);
      if (!list) return undefined;
      const at = changedBy(view, view.posts);
      return html(
        'index.njk',
        {
          posts: list.items,
          pagination: pagination(ref.page, list.pages, indexPath),
          feeds: feedLinks(),
        },
        at,
        [ref.page, list.pages, ...list.items.map(card)],
      );
    }
    case 'post': {
      const post = view.bySlug.get(ref.slug);
      if (!post) return undefined;
      const { older, newer } = neighbours(view, post);
      const related = relatedPosts(view, post);
      const at = changedBy(view, [post, older, newer, ...related]);
      return {
        deps: depsOf(context, [
          'post',
          at,
          whole(post),
          card(older),
          card(newer),
          ...related.map(card),
        ]),
        render: async () => {
          const data = {
            ...(context.extra?.data() ?? {}),
            canonical: path,
            post: { ...post, html: await context.body(post) },
            older,
            newer,
            related,
            jsonLd: blogPostingJsonLd(site, post),
            ogType: 'article',
          };
          return renderedPage(await context.render('post.njk', data), HTML, at);
        },
      };
    }
    case 'tags': {
      const tags = [...view.tags.values()].map((tag) => ({
        name: tag.name,
        count: tag.posts.length,
        path: tagPath(tag.name),
      }));
      const at = changedBy(view, view.posts);
      return html(
        'tags.njk',
        { tags },
        at,
        tags.map((tag) => `${tag.name} ${tag.count}`),
      );
    }
    case 'tag': {
      const tag = view.tags.get(ref.tag);
      const list = tag && listPage(tag.posts, pageSize, ref.page);
      if (!tag || !list) return undefined;
      const at = changedBy(view, tag.posts);
      return html(
        'tag.njk',
        {
          tag: tag.name,
          posts: list.items,
          pagination: pagination(ref.page, list.pages, (n) => tagPath(tag.name, n)),
          feeds: feedLinks(tag.name),
        },
        at,
        [tag.name, ref.page, list.pages, ...list.items.map(card)],
      );
    }
    case 'archive': {
      const at = changedBy(view, view.posts);
      return html('archive.njk', { years: view.years }, at, view.posts.map(card));
    }
    case 'feed': {
      const posts = ref.tag === undefined ? view.posts : view.tags.get(ref.tag)?.posts;
      if (!posts) return undefined;
      const at = changedBy(view, posts);
      const entries = posts.slice(0, FEED_ENTRIES);
      return {
        deps: depsOf(context, ['feed', ref.format, ref.tag, at, ...entries.map(whole)]),
        render: async () => {
          const bodies = await Promise.all(entries.map((post) => context.body(post)));
          const text = renderFeed(site, entries, bodies, ref.format, ref.tag);
          return renderedPage(text, FEED_CONTENT_TYPES[ref.format], at);
        },
      };
    }
    case 'sitemap': {
      const at = changedBy(view, view.posts);
      return {
        deps: depsOf(context, ['sitemap', at, ...view.posts.map(card)]),
        render: async () =>
          renderedPage(renderSitemap(site.url, view), 'application/xml; charset=utf-8', at),
      };
    }
    case 'robots':
      return {
        deps: 'robots',
        render: async () => renderedPage(renderRobots(site.url), 'text/plain; charset=utf-8'),
      };
  }
}
