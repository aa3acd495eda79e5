/**
 * "Every page once", by public behaviour only: start at `/` and `/robots.txt` (as a crawler does:
 * it names the sitemap) and follow every same-site link of every answer (HTML `href`, robots.txt's
 * `Sitemap:`, the sitemap's `<loc>`, the feeds' links and JSON Feed URLs), each URL requested
 * once, a few at a time, until none is left. Absolute links name the site's public
 * URL (SITE_URL), which is mapped onto the server under test. Static files (/assets/) are not
 * pages and are left out. Bounded by a page count and a time limit; the result says whether it
 * reached the end, and how many pages of each kind it saw, so a crawl that missed a part of the
 * site shows.
 */
import { Agent, request } from 'undici';

export interface CrawlOptions {
  /** Where the server under test listens, e.g. http://127.0.0.1:40123. */
  baseUrl: string;
  /** The site's public URL (SITE_URL), which absolute links in pages and feeds use. */
  siteUrl: string;
  maxPages: number;
  timeoutMs: number;
  /** Requests in flight at once. */
  concurrency: number;
}

export interface CrawlResult {
  /** URLs requested. */
  pages: number;
  /** The URLs answered 200, by kind of page (see `kindOf`). */
  kinds: Record<string, number>;
  byStatus: Record<string, number>;
  bodyBytes: number;
  ms: number;
  /** True when no link was left to follow; false when a bound stopped it. */
  complete: boolean;
  stoppedBy?: string;
  failures: string[];
}

/** The kind of page a path is, for the crawl's summary. */
export function kindOf(path: string): string {
  if (path === '/') return 'home';
  if (/^\/page\/\d+$/.test(path)) return 'index page';
  if (/^\/posts\/[^/]+$/.test(path)) return 'post';
  if (path === '/tags/') return 'tag list';
  if (/^\/tags\/[^/]+\/(feed\.xml|rss\.xml|feed\.json)$/.test(path)) return 'tag feed';
  if (/^\/tags\/[^/]+(\/page\/\d+)?$/.test(path)) return 'tag page';
  if (path === '/archive/') return 'archive';
  if (/^\/(feed\.xml|rss\.xml|feed\.json)$/.test(path)) return 'feed';
  if (path === '/sitemap.xml') return 'sitemap';
  if (path === '/robots.txt') return 'robots.txt';
  return 'other';
}

const ATTRIBUTE = /\bhref="([^"]*)"/g;
const XML_URL = /<(?:loc|link|id)>([^<]+)<\/(?:loc|link|id)>/g;
const SITEMAP_LINE = /^Sitemap:\s*(\S+)/gim;
const JSON_URL_KEYS = new Set(['url', 'home_page_url', 'feed_url', 'next_url', 'external_url']);

const decodeEntities = (text: string) =>
  text
    .replaceAll('&amp;', '&')
    .replaceAll('&#x2F;', '/')
    .replaceAll('&#47;', '/')
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'");

function jsonUrls(value: unknown, into: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) jsonUrls(item, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      if (typeof item === 'string' && JSON_URL_KEYS.has(key)) into.push(item);
      else jsonUrls(item, into);
    }
  }
}

/** Every link of an answer, as written (relative or absolute). */
function links(contentType: string, body: string): string[] {
  const found: string[] = [];
  if (contentType.includes('json')) {
    try {
      jsonUrls(JSON.parse(body), found);
    } catch {
      // Not JSON after all: no links.
    }
    return found;
  }
  if (contentType.startsWith('text/plain')) {
    for (const [, url = ''] of body.matchAll(SITEMAP_LINE)) found.push(url);
    return found;
  }
  for (const [, href = ''] of body.matchAll(ATTRIBUTE)) found.push(decodeEntities(href));
  if (contentType.includes('xml')) {
    for (const [, url = ''] of body.matchAll(XML_URL)) found.push(decodeEntities(url.trim()));
  }
  return found;
}

export async function crawl(options: CrawlOptions): Promise<CrawlResult> {
  const base = new URL(options.baseUrl);
  const site = new URL(options.siteUrl);
  /** The path and query of a link if it is a page of this site, else undefined. */
  const toPath = (link: string, from: URL): string | undefined => {
    let url: URL;
    try {
      url = new URL(link, from);
    } catch {
      return undefined;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.host !== base.host && url.host !== site.host) return undefined;
    if (url.pathname.startsWith('/assets/')) return undefined;
    return `${url.pathname}${url.search}`;
  };
  const queue: string[] = ['/', '/robots.txt'];
  const seen = new Set<string>(queue);
  const kinds: Record<string, number> = {};
  const byStatus: Record<string, number> = {};
  const failures: string[] = [];
  let bodyBytes = 0;
  let stoppedBy: string | undefined;
  const started = performance.now();
  const deadline = started + options.timeoutMs;
  const dispatcher = new Agent({ connections: options.concurrency, pipelining: 1 });
  let requested = 0;

  const fetchOne = async (path: string) => {
    const url = new URL(path, base);
    const response = await request(url, {
      dispatcher,
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const body = await response.body.text();
    bodyBytes += Buffer.byteLength(body);
    byStatus[response.statusCode] = (byStatus[response.statusCode] ?? 0) + 1;
    if (response.statusCode !== 200) return;
    kinds[kindOf(url.pathname)] = (kinds[kindOf(url.pathname)] ?? 0) + 1;
    const type = String(response.headers['content-type'] ?? '');
    for (const link of links(type, body)) {
      const next = toPath(link, url);
      if (next !== undefined && !seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  };

  /** One of `concurrency` loops taking the next URL; a loop with an empty queue waits for the others. */
  let inFlight = 0;
  const loop = async () => {
    for (;;) {
      if (stoppedBy !== undefined) return;
      const path = queue.shift();
      if (path === undefined) {
        if (inFlight === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 2));
        continue;
      }
      if (requested >= options.maxPages) {
        stoppedBy = `--max-pages ${options.maxPages}`;
        return;
      }
      if (performance.now() > deadline) {
        stoppedBy = `time limit of ${options.timeoutMs} ms`;
        return;
      }
      requested++;
      inFlight++;
      try {
        await fetchOne(path);
      } catch (error) {
        if (failures.length < 20) failures.push(`${path}: ${(error as Error).message}`);
        byStatus.error = (byStatus.error ?? 0) + 1;
      } finally {
        inFlight--;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: options.concurrency }, loop));
  } finally {
    await dispatcher.close();
  }
  return {
    pages: requested,
    kinds,
    byStatus,
    bodyBytes,
    ms: Math.round(performance.now() - started),
    complete: stoppedBy === undefined && queue.length === 0,
    ...(stoppedBy === undefined ? {} : { stoppedBy }),
    failures,
  };
}
