/**
 * Sends a page from the page cache with HTTP caching (RFC 9110 §13, RFC 9111): a strong ETag,
 * Last-Modified, Cache-Control from the page store, and 304 for a matching conditional GET.
 * If-None-Match takes precedence: If-Modified-Since is only looked at when there is none.
 * No compression here: nginx compresses.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PageStore } from './page-store.ts';
import type { PageRef } from './pages/page-ref.ts';
import type { RenderedPage } from './pages/rendered-page.ts';

/** RFC 9110 If-None-Match: `*` or a list of (possibly weak) entity tags; weak comparison. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  // What a browser or nginx revalidating sends: the one tag it was given.
  if (ifNoneMatch === etag) return true;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** RFC 9110 §13.1.3: not modified when the page is no newer than the date; bad dates are ignored. */
export function notModifiedSince(
  ifModifiedSince: string | undefined,
  lastModified?: Date,
): boolean {
  if (ifModifiedSince === undefined || lastModified === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && lastModified.getTime() <= since;
}

/** A page's own response headers, worked out once per page rather than once per request. */
interface PageHeaders {
  /** On the 200 and on the 304 (RFC 9110 §15.4.5: a 304 repeats the validators). */
  validators: Record<string, string>;
  contentType: string;
}

const pageHeaders = new WeakMap<RenderedPage, PageHeaders>();

function headersOf(page: RenderedPage): PageHeaders {
  let headers = pageHeaders.get(page);
  if (headers === undefined) {
    const validators: Record<string, string> = { etag: page.etag };
    if (page.lastModified) validators['last-modified'] = page.lastModified.toUTCString();
    headers = { validators, contentType: page.contentType ?? 'text/html; charset=utf-8' };
    pageHeaders.set(page, headers);
  }
  return headers;
}

export function sendPage(
  store: PageStore,
  request: FastifyRequest,
  reply: FastifyReply,
  page: RenderedPage,
): FastifyReply {
  const headers = headersOf(page);
  reply.headers(headers.validators).header('cache-control', store.cacheControl());
  const ifNoneMatch = request.headers['if-none-match'];
  const notModified =
    ifNoneMatch === undefined
      ? notModifiedSince(request.headers['if-modified-since'], page.lastModified)
      : etagMatches(ifNoneMatch, page.etag);
  if (notModified) return reply.code(304).send();
  return reply.header('content-type', headers.contentType).send(page.body);
}

/**
 * Calls `answer` with the page `ref` (undefined if none): at once when it is cached (no promise
 * per request), once rendered when it is not. The page store checks the clock first.
 */
export function withPage(
  store: PageStore,
  ref: PageRef,
  answer: (page: RenderedPage | undefined) => FastifyReply,
): FastifyReply | Promise<FastifyReply> {
  const page = store.page(ref);
  return page instanceof Promise ? page.then(answer) : answer(page);
}

/** The 404 page (through the central not-found handler). Returns `reply`: it is being answered. */
export function notFound(reply: FastifyReply): FastifyReply {
  reply.callNotFound();
  return reply;
}

/** Serves the page `ref`, or the 404 page. */
export function servePage(
  store: PageStore,
  request: FastifyRequest,
  reply: FastifyReply,
  ref: PageRef,
): FastifyReply | Promise<FastifyReply> {
  return withPage(store, ref, (page) =>
    page ? sendPage(store, request, reply, page) : notFound(reply),
  );
}

/** A 301 to `path`, keeping the request's query string. */
export function movedPermanently(
  store: PageStore,
  request: FastifyRequest,
  reply: FastifyReply,
  path: string,
): FastifyReply {
  const queryAt = request.url.indexOf('?');
  const query = queryAt === -1 ? '' : request.url.slice(queryAt);
  return reply.header('cache-control', store.cacheControl()).redirect(`${path}${query}`, 301);
}
