/**
 * The one error handler and the one not-found handler of the app. Routes
 * throw (or call `reply.callNotFound()`); nothing else catches.
 *
 * Logging: an error is logged once, here, through `request.log` (so with `quire.requestId`): 5xx at
 * `error` with the serialized `err` (type, message, stack); 4xx at `info` with the message and code
 * only. Unknown URLs are not logged here: the access line (`route: "(not found)"`,
 * `statusCode: 404`) already says it all.
 *
 * Response: JSON `{"statusCode","error","message","requestId"}` when the client's Accept prefers
 * application/json over text/html, else the HTML page `templates/error.njk`. A 5xx never shows its
 * message or stack: only the generic status text. A 4xx keeps its message, which Fastify (bad
 * content-type, body validation, …) and our routes write for clients.
 */
import { STATUS_CODES } from '../node-http.ts';
import type {
  FastifyBaseLogger,
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
} from 'fastify';
import fp from 'fastify-plugin';
import { escapeHtml } from '../content/markdown/text.ts';
import { REQUEST_ID_HEADER } from './request-id.ts';
import type { PageStore } from './page-store.ts';
import { refOf } from './pages/page-ref.ts';
import { logRequestWhenFinished } from './request-log.ts';
import { movedPermanently } from './send-page.ts';

/** What a client is told about an error, as JSON; the HTML page shows the same. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  requestId: string;
}

const NOT_FOUND_MESSAGE = 'There is no page at this address.';
const SERVER_ERROR_HTML_MESSAGE = 'Something went wrong on our side. Please try again later.';

/** `-1` no match, `0` for `*\/*`, `1` for `type/*`, `2` for an exact match. */
function specificity(range: string, type: string): number {
  if (range === type) return 2;
  if (range === '*/*') return 0;
  const [major] = type.split('/');
  return range === `${major}/*` ? 1 : -1;
}

/**
 * Whether an Accept header ranks application/json above text/html (RFC 9110 §12.5.1: the most
 * specific matching range gives a type its q). At equal q, a type named outright beats one
 * matched by a wildcard, so `application/json, *\/*` is JSON; other ties go to HTML.
 */
export function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const best = { json: { q: 0, s: -1 }, html: { q: 0, s: -1 } };
  for (const entry of accept.split(',')) {
    const [rawRange = '', ...params] = entry.split(';');
    const range = rawRange.trim().toLowerCase();
    let q = 1;
    for (const param of params) {
      const [key = '', value = ''] = param.split('=');
      if (key.trim().toLowerCase() === 'q') {
        q = Number(value.trim());
        if (!Number.isFinite(q)) q = 0;
      }
    }
    for (const [name, type] of [
      ['json', 'application/json'],
      ['html', 'text/html'],
    ] as const) {
      const s = specificity(range, type);
      if (s > best[name].s) best[name] = { q, s };
    }
  }
  if (best.json.q !== best.html.q) return best.json.q > best.html.q;
  return best.json.q > 0 && best.json.s > best.html.s;
}

function statusOf(error: unknown, reply: FastifyReply): number {
  const fields =
    typeof error === 'object' && error !== null ? (error as Partial<FastifyError>) : {};
  const candidate = fields.statusCode ?? (fields as { status?: unknown }).status;
  if (typeof candidate === 'number' && Number.isInteger(candidate)) {
    if (candidate >= 400 && candidate <= 599) return candidate;
  }
  return reply.statusCode >= 400 && reply.statusCode <= 599 ? reply.statusCode : 500;
}

/** Used only if error.njk itself fails, so that a broken template cannot leak details. */
function fallbackPage(body: ErrorBody, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${body.statusCode} ${escapeHtml(body.error)}</title></head><body><main id="main"><h1>${body.statusCode} ${escapeHtml(body.error)}</h1><p>${escapeHtml(message)}</p><p>Request ID: <code>${escapeHtml(body.requestId)}</code></p></main></body></html>`;
}

/** A page the reader may have meant, shown on the 404 page. */
export interface Suggestion {
  title: string;
  path: string;
}

/** The error page's message: a 5xx and a 404 say the same thing whatever happened. */
function pageMessage(body: ErrorBody): string {
  if (body.statusCode >= 500) return SERVER_ERROR_HTML_MESSAGE;
  return body.statusCode === 404 ? NOT_FOUND_MESSAGE : body.message;
}

/** The themed error page (`templates/error.njk`) for `body`; a bare page if the template fails. */
export async function renderErrorPage(
  server: FastifyInstance,
  log: FastifyBaseLogger,
  body: ErrorBody,
  suggestion?: Suggestion,
): Promise<string> {
  const message = pageMessage(body);
  try {
    return await server.view('error.njk', { ...body, message, suggestion });
  } catch (renderError) {
    log.error({ err: renderError }, 'error page failed to render');
    return fallbackPage(body, message);
  }
}

/** Sends an error response in the format the client prefers. */
export async function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  statusCode: number,
  message: string,
  suggestion?: Suggestion,
): Promise<FastifyReply> {
  const body: ErrorBody = {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    message,
    requestId: request.id,
  };
  reply
    .code(statusCode)
    .header(REQUEST_ID_HEADER, request.id)
    .header('cache-control', 'no-store')
    .header('vary', 'Accept');
  if (prefersJson(request.headers.accept)) {
    return reply.type('application/json; charset=utf-8').send(body);
  }
  return reply
    .type('text/html; charset=utf-8')
    .send(await renderErrorPage(request.server, request.log, body, suggestion));
}

/** Logs `error` once and answers with the client-safe view of it. */
export async function handleError(
  error: unknown,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const statusCode = statusOf(error, reply);
  const title = STATUS_CODES[statusCode] ?? 'Error';
  const internalMessage = error instanceof Error ? error.message : String(error);
  if (statusCode >= 500) {
    request.log.error({ err: error, statusCode }, internalMessage || title);
    return sendError(request, reply, statusCode, title);
  }
  const code = (error as Partial<FastifyError> | null)?.code;
  request.log.info({ statusCode, errorCode: code }, internalMessage || title);
  return sendError(request, reply, statusCode, internalMessage || title);
}

/**
 * Fastify `frameworkErrors` server option: errors raised before routing (a malformed
 * percent-encoding in the URL, a path parameter over `maxParamLength`), which never reach
 * `setErrorHandler`. No hook runs for these requests, so the access line is arranged here too.
 */
export function frameworkErrors(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  logRequestWhenFinished(request, reply);
  handleError(error, request, reply).catch((failure: unknown) => {
    request.log.error({ err: failure }, 'framework error could not be answered');
  });
}

/** RFC 9110 §15.5.6: what pages are read with; any other method on one is a 405. */
const READ_METHODS = 'GET, HEAD';
const READ_ONLY_MESSAGE = 'This address can only be read, with GET or HEAD.';

/**
 * An unknown URL: a 405 when a page lives there but the method is not for reading it; a 301 to
 * the other form when the path with or without its trailing slash is a route (one rule for every
 * route, issue #19: each has one form, see the README's endpoints); else the 404 page, with the
 * published post nearest to it ("did you mean").
 */
async function errors(fastify: FastifyInstance, { store }: { store: PageStore }): Promise<void> {
  fastify.setErrorHandler(handleError);
  fastify.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '';
    // A standalone page's route (`/:slug/`, issue #18) takes every name: only a page that exists
    // makes its address a route here, so `/search/` still goes to `/search` and `/nope` is a 404.
    const routed = (url: string) => {
      if (fastify.findRoute({ method: 'GET', url }) === null) return false;
      const ref = refOf(url);
      return ref?.kind !== 'page' || store.has(ref);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      if (routed(path))
        return sendError(request, reply.header('allow', READ_METHODS), 405, READ_ONLY_MESSAGE);
    } else if (!routed(path)) {
      // A route that found nothing here (an unknown asset) is a 404, not a redirect.
      const other = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
      if (/^\/(?!\/)/.test(other) && routed(other))
        return movedPermanently(store, request, reply, other);
    }
    return sendError(request, reply, 404, NOT_FOUND_MESSAGE, store.suggest(request.url));
  });
}

export default fp(errors, {
  name: 'quire-errors',
  fastify: '5.x',
  dependencies: ['quire-views'],
});
