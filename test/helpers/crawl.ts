/**
 * Every page of an app that a reader can reach from a few starting paths: links are followed
 * (href and src attributes, sitemap locations, feed links) and so are same-site redirects, but
 * not theme assets or the files beside the posts (issue #18). In-process, through `inject`.
 * Shared by the golden pages test and the HTML validity test. Not a test file itself.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

/** Same-site paths a page links to: href/src attributes, sitemap locations, feed links. */
function linksIn(text: string, origin: string): string[] {
  const found = new Set<string>();
  const candidates = [
    ...text.matchAll(/(?:href|src)="([^"]+)"/g),
    ...text.matchAll(/<loc>([^<]+)<\/loc>/g),
    ...text.matchAll(/"(?:url|home_page_url|feed_url)":\s*"([^"]+)"/g),
  ].map((match) => (match[1] as string).replaceAll('&amp;', '&'));
  for (const candidate of candidates) {
    const path = candidate.startsWith(origin) ? candidate.slice(origin.length) : candidate;
    if (!path.startsWith('/') || path.startsWith('//')) continue;
    // Files, not pages (their bytes are the files'; test/http/assets.test.ts, media.test.ts).
    if (path.startsWith('/assets/') || path.startsWith('/media/')) continue;
    found.add(path.split('#')[0] as string);
  }
  return [...found];
}

/** Each reachable path's response, in the order they were first reached. */
export async function crawl(
  app: FastifyInstance,
  origin: string,
  start: readonly string[],
  headers: Record<string, string> = {},
): Promise<Map<string, LightMyRequestResponse>> {
  const pages = new Map<string, LightMyRequestResponse>();
  const queue = [...start];
  while (queue.length > 0) {
    const path = queue.shift() as string;
    if (pages.has(path)) continue;
    const response = await app.inject({ url: path, headers });
    pages.set(path, response);
    if (response.statusCode === 200) queue.push(...linksIn(response.body, origin));
    const location = response.headers.location;
    if (typeof location === 'string' && location.startsWith('/')) queue.push(location);
  }
  return pages;
}
