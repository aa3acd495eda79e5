/**
 * Every page of a published view, in one place (issue #18, static export): the pages the sitemap
 * lists, then those it leaves out (later pages of the lists, the feeds, the files for search
 * engines and browsers). `/sitemap.xml` shows the first part (sitemap.ts); `npm run export`
 * writes them all (src/export/).
 */
import { pageOf } from '../../content/site/pagination.ts';
import type { PublishedView } from '../../content/site/published.ts';
import type { Post } from '../../content/types.ts';
import { FEED_FORMATS } from '../paths.ts';
import type { PageRef } from './page-ref.ts';

/** A page the sitemap lists, with the posts whose newest change dates it (`lastmod`). */
export interface SitemapPage {
  ref: PageRef;
  posts: readonly Post[];
}

/**
 * The lists a reader starts from (the index, the tags page, each tag's first page, the archive),
 * every published post and every standalone page. Later pages of a list are left out: they only
 * lead to posts that are listed here already.
 */
export function sitemapPages(view: PublishedView): SitemapPage[] {
  const everything = view.posts;
  return [
    { ref: { kind: 'index', page: 1 }, posts: everything },
    { ref: { kind: 'tags' }, posts: everything },
    ...[...view.tags.values()].map((tag): SitemapPage => ({
      ref: { kind: 'tag', tag: tag.name, page: 1 },
      posts: tag.posts,
    })),
    { ref: { kind: 'archive' }, posts: everything },
    ...view.posts.map((post): SitemapPage => ({
      ref: { kind: 'post', slug: post.slug },
      posts: [post],
    })),
    // Standalone pages (`/about/`) are undated: no post dates them.
    ...[...view.pages.keys()]
      .sort()
      .map((slug): SitemapPage => ({ ref: { kind: 'page', slug }, posts: [] })),
  ];
}

/** Page 2 onwards of a list of `posts`, `pageSize` to a page. */
function laterPages(posts: readonly Post[], pageSize: number): number[] {
  const pages = pageOf(posts, pageSize, 1)?.pages ?? 1;
  return Array.from({ length: pages - 1 }, (_, i) => i + 2);
}

/** Every page of the view: the sitemap's, then the others. */
export function publishedPages(view: PublishedView, pageSize: number): PageRef[] {
  const tags = [...view.tags.values()];
  return [
    ...sitemapPages(view).map((page) => page.ref),
    ...laterPages(view.posts, pageSize).map((page): PageRef => ({ kind: 'index', page })),
    ...tags.flatMap((tag) =>
      laterPages(tag.posts, pageSize).map((page): PageRef => ({
        kind: 'tag',
        tag: tag.name,
        page,
      })),
    ),
    ...FEED_FORMATS.map((format): PageRef => ({ kind: 'feed', format })),
    ...tags.flatMap((tag) =>
      FEED_FORMATS.map((format): PageRef => ({ kind: 'feed', format, tag: tag.name })),
    ),
    { kind: 'sitemap' },
    { kind: 'robots' },
    { kind: 'opensearch' },
  ];
}
