/**
 * Requests whose framing is ambiguous (issue #20, found by `npm run soak`'s floods case):
 *
 * - More than one Host line: RFC 9112 §3.2 says answer 400. Node keeps the first and drops the
 *   rest, so the app and a proxy in front could each see a different host.
 * - Bytes after a request that ends the connection (HTTP/1.0 without keep-alive, or
 *   `Connection: close`): Node's parser fails on them (HPE_CLOSED_CONNECTION), and Fastify's
 *   client-error handler then wrote a 400 on the socket, which a pipelining client reads as the
 *   answer to its next request, which nobody processed. Node ends the connection itself once
 *   the accepted request is answered; nothing is written for the extra bytes.
 */
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

type ClientErrorListener = (error: NodeJS.ErrnoException, socket: Socket) => void;

function hostLines(rawHeaders: string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]!.length === 4 && rawHeaders[i]!.toLowerCase() === 'host') count++;
  }
  return count;
}

function requestFraming(fastify: FastifyInstance, _options: unknown, done: () => void) {
  const { server } = fastify;
  // Fastify's own handler stays in charge of every other client error (408, 431, 400).
  for (const listener of server.listeners('clientError') as ClientErrorListener[]) {
    server.off('clientError', listener);
    server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
      if (error.code !== 'HPE_CLOSED_CONNECTION') listener(error, socket);
    });
  }
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
