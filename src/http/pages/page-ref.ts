/**
 * Which page a request asks for, as the routes parse it: the key of the page cache is its URL
 * path (`pathOf`), percent-encoded as in links (paths.ts).
 */
import {
  ARCHIVE_PATH,
  type FeedFormat,
  feedPath,
  indexPath,
  OPENSEARCH_PATH,
  pagePath,
  postPath,
  ROBOTS_PATH,
  SITEMAP_PATH,
  TAGS_PATH,
  tagPath,
} from '../paths.ts';

export type PageRef =
  | { kind: 'index'; page: number }
  | { kind: 'post'; slug: string }
  | { kind: 'tags' }
  | { kind: 'tag'; tag: string; page: number }
  | { kind: 'archive' }
  | { kind: 'feed'; format: FeedFormat; tag?: string | undefined }
  | { kind: 'sitemap' }
  | { kind: 'robots' }
  | { kind: 'opensearch' }
  | { kind: 'page'; slug: string };

export function pathOf(ref: PageRef): string {
  switch (ref.kind) {
    case 'index':
      return indexPath(ref.page);
    case 'post':
      return postPath(ref.slug);
    case 'tags':
      return TAGS_PATH;
    case 'tag':
      return tagPath(ref.tag, ref.page);
    case 'archive':
      return ARCHIVE_PATH;
    case 'feed':
      return feedPath(ref.format, ref.tag);
    case 'sitemap':
      return SITEMAP_PATH;
    case 'robots':
      return ROBOTS_PATH;
    case 'opensearch':
      return OPENSEARCH_PATH;
    case 'page':
      return pagePath(ref.slug);
  }
}

const FEEDS: Record<string, FeedFormat> = {
  'feed.xml': 'atom',
  'rss.xml': 'rss',
  'feed.json': 'json',
};

/** The page at a URL path as links write it, or undefined when no page lives there. */
export function refOf(path: string): PageRef | undefined {
  const parts = path.split('/').slice(1);
  let ref: PageRef | undefined;
  try {
    const [first = '', second, third, fourth] = parts.map(decodeURIComponent);
    const page = (text: string | undefined) => (text && /^[1-9]\d*$/.test(text) ? Number(text) : 0);
    if (parts.length === 1) {
      const format = FEEDS[first];
      if (first === '') ref = { kind: 'index', page: 1 };
      else if (format) ref = { kind: 'feed', format };
      else if (first === 'sitemap.xml') ref = { kind: 'sitemap' };
      else if (first === 'robots.txt') ref = { kind: 'robots' };
      else if (first === 'opensearch.xml') ref = { kind: 'opensearch' };
    } else if (first === 'page' && parts.length === 2) ref = { kind: 'index', page: page(second) };
    else if (first === 'posts' && parts.length === 2 && second)
      ref = { kind: 'post', slug: second };
    else if (first === 'archive' && parts.length === 2 && second === '') ref = { kind: 'archive' };
    else if (first !== 'tags' && parts.length === 2 && second === '' && first)
      ref = { kind: 'page', slug: first };
    else if (first === 'tags' && second !== undefined) {
      const format = third === undefined ? undefined : FEEDS[third];
      if (parts.length === 2)
        ref = second === '' ? { kind: 'tags' } : { kind: 'tag', tag: second, page: 1 };
      else if (parts.length === 3 && format) ref = { kind: 'feed', format, tag: second };
      else if (parts.length === 4 && third === 'page')
        ref = { kind: 'tag', tag: second, page: page(fourth) };
    }
  } catch {
    return undefined; // malformed percent-encoding
  }
  // Only the canonical spelling of a page is that page.
  return ref && pathOf(ref) === path ? ref : undefined;
}
