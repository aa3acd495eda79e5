/**
 * Every URL path of the reader's site, in one place. Paths are built percent-encoded, exactly as
 * they appear in links; the page cache is keyed by them, so a route re-encodes its (decoded)
 * parameters with the same functions to find a page.
 */
const segment = encodeURIComponent;

export const postPath = (slug: string) => `/posts/${segment(slug)}`;

/** A standalone page (issue #18): `/about/`. */
export const pagePath = (slug: string) => `/${segment(slug)}/`;

/**
 * The first path segments the site answers at itself, which no standalone page may take (search
 * and media: the search page and the images beside posts of issues #18 and #19).
 */
export const RESERVED_SLUGS = [
  'posts',
  'page',
  'tags',
  'archive',
  'assets',
  'media',
  'search',
  'feed.xml',
  'rss.xml',
  'feed.json',
  'sitemap.xml',
  'robots.txt',
  'opensearch.xml',
  'healthz',
  'readyz',
] as const;

/** `/` for the first page, then `/page/2`, `/page/3`, … */
export const indexPath = (page = 1) => (page === 1 ? '/' : `/page/${page}`);

export const TAGS_PATH = '/tags/';
export const ARCHIVE_PATH = '/archive/';
export const SITEMAP_PATH = '/sitemap.xml';
export const ROBOTS_PATH = '/robots.txt';
export const SEARCH_PATH = '/search';
export const OPENSEARCH_PATH = '/opensearch.xml';

/** `/tags/go` for the first page, then `/tags/go/page/2`, … */
export const tagPath = (tag: string, page = 1) =>
  page === 1 ? `/tags/${segment(tag)}` : `/tags/${segment(tag)}/page/${page}`;

export type FeedFormat = 'atom' | 'rss' | 'json';
export const FEED_FORMATS: readonly FeedFormat[] = ['atom', 'rss', 'json'];
export const FEED_FILES: Record<FeedFormat, string> = {
  atom: 'feed.xml',
  rss: 'rss.xml',
  json: 'feed.json',
};

/** The site's feeds at `/feed.xml`…, a tag's at `/tags/go/feed.xml`… */
export const feedPath = (format: FeedFormat, tag?: string) =>
  tag === undefined ? `/${FEED_FILES[format]}` : `/tags/${segment(tag)}/${FEED_FILES[format]}`;
