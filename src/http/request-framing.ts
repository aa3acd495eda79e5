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
import { type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';

const LINGER_MS = 5000;
/** Node's client-error codes that have a status of their own; any other is 400. */
const STATUS_OF: Record<string, number> = {
  ERR_HTTP_REQUEST_TIMEOUT: 408,
  HPE_HEADER_OVERFLOW: 431,
};

/** Fastify `clientErrorHandler`: the answer to a request Node could not parse. */
export const clientErrorHandler: FastifyServerOptions['clientErrorHandler'] = (error, socket) => {
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
    const body = JSON.stringify({
      statusCode,
      error: STATUS_CODES[statusCode],
      message: 'The request could not be read.',
    });
    socket.end(
      `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\nConnection: close\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
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

function requestFraming(fastify: FastifyInstance, _options: unknown, done: () => void) {
  fastify.addHook('onRequest', async (request) => {
    if (hostLines(request.raw.rawHeaders) > 1) {
      throw Object.assign(new Error('A request may carry one Host header only.'), {
        statusCode: 400,
      });
    }
  });
  done();
}

export default fp(requestFraming, { name: 'request-framing' });
