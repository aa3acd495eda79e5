/**
 * Every URL `npm run export` writes, from one list of sources (issue #18): each source gives the
 * URLs of one kind, and the export asks the app for each. A new kind of address on the site is
 * one more source here.
 */
import type { PublishedView } from '../content/site/published.ts';
import type { Site } from '../content/types.ts';
import type { AssetManifest } from '../http/asset-manifest.ts';
import { pathOf } from '../http/pages/page-ref.ts';
import { publishedPages } from '../http/pages/published-pages.ts';
import { postPath, SEARCH_PATH } from '../http/paths.ts';

export interface ExportUrl {
  /** The URL path, as links write it. */
  url: string;
  /**
   * What the app must answer: 200 (the default; its body is written), 301 (a moved address:
   * written as redirects, redirect-files.ts) or 404 (the 404 page).
   */
  status?: 200 | 301 | 404;
  /** Where it goes in the export; default: where a static host looks for it (static-files.ts). */
  file?: string;
  /** Request headers, for an answer that depends on them. */
  headers?: Record<string, string>;
}

export interface ExportContext {
  site: Site;
  /** The published view at the export's moment, the one the app serves. */
  view: PublishedView;
  pageSize: number;
  assets: AssetManifest;
}

export type UrlSource = (context: ExportContext) => Iterable<ExportUrl> | Promise<ExportUrl[]>;

/**
 * The 404 page, served by static hosts for any address they have no file for. Asked for with a
 * fixed request id, which the page shows, so that two exports write the same bytes.
 */
export const NOT_FOUND_PAGE: ExportUrl = {
  url: '/404.html',
  status: 404,
  file: '404.html',
  headers: { 'x-request-id': 'static-export' },
};

export const URL_SOURCES: readonly UrlSource[] = [
  // Every page of the published view: the sitemap's, the later pages of the lists, every feed,
  // the sitemap, robots.txt, opensearch.xml; standalone pages (`/about/`) among them.
  ({ view, pageSize }) => publishedPages(view, pageSize).map((ref) => ({ url: pathOf(ref) })),
  // The search form alone: results need the server.
  () => [{ url: SEARCH_PATH }],
  // The theme's files, under the content-hashed names pages link to.
  ({ assets }) => assets.urls().map((url) => ({ url })),
  // The files beside published posts and their image variants (`/media/…`, issue #18): every
  // one their bodies and covers show or link to, so a draft's files stay out; and their social
  // cards, which their link previews name.
  async ({ site, view }) => {
    const urls = new Set<string>();
    for (const post of view.posts) {
      const { html } = await site.body(post);
      for (const [url] of `${html}${post.cover?.html ?? ''}`.matchAll(MEDIA_URL)) urls.add(url);
      if (post.socialCard) urls.add(post.socialCard.url);
    }
    return [...urls].map((url) => ({ url }));
  },
  // Former addresses of published posts (aliases, file names before a `slug`): 301s.
  ({ view }) => [...view.redirects.keys()].map((old) => ({ url: postPath(old), status: 301 })),
  () => [NOT_FOUND_PAGE],
];

/** A `/media/…` URL in markup: in `src`, `href` or a `srcset` list, up to its quote or space. */
const MEDIA_URL = /\/media\/[^\s"',<>]+/g;

export async function exportUrls(context: ExportContext): Promise<ExportUrl[]> {
  const lists = await Promise.all(URL_SOURCES.map(async (source) => [...(await source(context))]));
  return lists.flat();
}
