/**
 * Requests whose framing is bad or ambiguous (issue #20, found by `npm run soak`'s floods and
 * paths cases):
 *
 * - More than one Host line: RFC 9112 §3.2 says answer 400. Node keeps the first and drops the
 *   rest, so the app and a proxy in front could each see a different host.
 * - A request Node's parser cannot read (headers past 16 KiB, a broken request line, a
 *   Transfer-Encoding smuggling pair, headers not in time): Fastify's client-error handler wrote
 *   its answer without `Connection: close` and destroyed the socket at once, so a keep-alive
 *   client sent its next request into a closed connection, and a client still sending (a 64 KB
 *   URL) got a reset instead of the answer. Here the answer says `Connection: close`, the socket
 *   ends gracefully, and what the client still sends is read and dropped for a few seconds
 *   (nginx's lingering close, https://nginx.org/r/lingering_close).
 * - Bytes after a request that ends the connection (HTTP/1.0 without keep-alive): the parser
 *   fails on them (HPE_CLOSED_CONNECTION), and a 400 for them would be read by a pipelining
 *   client as the answer to a request nobody processed. Node ends the connection itself once
 *   the accepted request is answered; nothing is written.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { STATUS_CODES } from '../node-http.ts';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import { renderErrorPage } from './errors.ts';
import { REQUEST_ID_HEADER } from './request-id.ts';

const LINGER_MS = 5000;
/** Node's client-error codes that have a status of their own; any other is 400. */
const STATUS_OF: Record<string, number> = {
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  HPE_HEADER_OVERFLOW: 431,
};
const MESSAGE_OF: Record<number, string> = {
  400: 'The request could not be read.',
  408: 'The request did not arrive in time.',
  431: 'The request’s headers are too large.',
};
/** Stands for the request id in a page rendered before its request; never a real id. */
const ID_SLOT = 'quire-request-id-slot';

/**
 * The themed pages of these answers, per app (the root instance, which Fastify binds the
 * handler to), each rendered on its first use and kept: the parser failed, so there is no request
 * to render with, and a flood of bad requests costs no template rendering. HTML, because what the
 * client accepts could not be read either.
 */
interface ClientErrorAnswers {
  pages: Map<number, Promise<string>>;
  headers: Record<string, string>;
}
const answersOf = new WeakMap<FastifyInstance, ClientErrorAnswers>();

function pageOf(app: FastifyInstance, statusCode: number): Promise<string> | undefined {
  const answers = answersOf.get(app);
  if (!answers) return undefined;
  let page = answers.pages.get(statusCode);
  if (!page) {
    const error = STATUS_CODES[statusCode] ?? 'Error';
    const message = MESSAGE_OF[statusCode] ?? error;
    page = renderErrorPage(app, app.log, { statusCode, error, message, requestId: ID_SLOT });
    answers.pages.set(statusCode, page);
  }
  return page;
}

function answer(app: FastifyInstance, statusCode: number, page: string | undefined): string {
  const requestId = randomUUID();
  // The one place the app tells a client this request failed: its id is in the log too.
  app.log.info({ requestId, statusCode }, MESSAGE_OF[statusCode] ?? 'client error');
  const body = page
    ? page.replaceAll(ID_SLOT, requestId)
    : JSON.stringify({
        statusCode,
        error: STATUS_CODES[statusCode],
        message: MESSAGE_OF[statusCode],
        requestId,
      });
  const headers = {
    ...answersOf.get(app)?.headers,
    [REQUEST_ID_HEADER]: requestId,
    'cache-control': 'no-store',
    'content-type': page ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(body)),
    connection: 'close',
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\n${lines.join('')}\r\n${body}`;
}

/** Fastify `clientErrorHandler`: the answer to a request Node could not parse. */
export const clientErrorHandler: FastifyServerOptions['clientErrorHandler'] = function (
  this: FastifyInstance,
  error,
  socket,
) {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (code === 'ECONNRESET' || code === 'HPE_CLOSED_CONNECTION' || socket.destroyed) return;
  // An earlier request on this connection is still being answered: an answer written now would
  // come first, in its place. That answer goes out, then the connection closes. (Node's own
  // default handler checks the same private field; null when no answer is under way.)
  const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (pending) {
    pending.once('finish', () => socket.end());
  } else if (socket.writable) {
    const statusCode = STATUS_OF[code] ?? 400;
    const write = (page?: string) => {
      if (socket.writable) socket.end(answer(this, statusCode, page));
    };
    const page = pageOf(this, statusCode);
    if (page) page.then(write, () => write());
    else write();
  }
  // Nothing more is parsed on this connection: what still arrives is read and dropped, so the
  // close is a FIN after the answer rather than a reset that can destroy it.
  socket.removeAllListeners('data');
  socket.on('data', () => {});
  socket.resume();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
};

function hostLines(rawHeaders: string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.length === 4 && rawHeaders[i]!.toLowerCase() === 'host') count++;
  }
  return count;
}

export interface RequestFramingOptions {
  /** Headers every answer carries (the security headers, when the app sets them). */
  headers?: Record<string, string>;
}

function requestFraming(
  fastify: FastifyInstance,
  { headers = {} }: RequestFramingOptions,
  done: () => void,
) {
  fastify.addHook('onRequest', async (request) => {
    if (hostLines(request.raw.rawHeaders) > 1) {
      throw Object.assign(new Error('A request may carry one Host header only.'), {
        statusCode: 400,
      });
    }
  });
  answersOf.set(fastify, { pages: new Map(), headers });
  done();
}

export default fp(requestFraming, { name: 'request-framing', dependencies: ['quire-views'] });
