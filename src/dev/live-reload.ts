/**
 * Live reload: browsers keep `GET /__dev/events?path=<their page>` open (server-sent events) and
 * the page script (`/__dev/reload.js`, a file rather than inline code, as the CSP requires)
 * reloads the tab when an event names its path or `*`. The open pages' paths tell the session
 * which pages to check after an edit, cached or not.
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const RELOAD_SCRIPT = '/__dev/reload.js';
const CLIENT = readFileSync(new URL('./reload-client.js', import.meta.url), 'utf8');
/** Proxies and browsers drop a silent connection; a comment line keeps it alive. */
const KEEPALIVE_MS = 15_000;

export interface LiveReload {
  /** Tells every open page which paths changed (`*`: all of them). */
  send(paths: readonly string[]): void;
  /** The paths of the pages open now. */
  watched(): string[];
  routes(fastify: FastifyInstance): void;
}

export function createLiveReload(): LiveReload {
  /** Each open stream, with the path of the page that opened it (if it said). */
  const clients = new Map<ServerResponse, string | undefined>();
  const keepalive = setInterval(() => {
    for (const client of clients.keys()) client.write(': keepalive\n\n');
  }, KEEPALIVE_MS).unref();

  return {
    send(paths) {
      const event = `data: ${JSON.stringify({ paths })}\n\n`;
      for (const client of clients.keys()) client.write(event);
    },
    watched: () => [...new Set(clients.values())].filter((path) => path !== undefined),
    routes(fastify) {
      fastify.get(RELOAD_SCRIPT, (_request, reply) =>
        reply
          .type('text/javascript; charset=utf-8')
          .header('cache-control', 'no-cache')
          .send(CLIENT),
      );
      fastify.get<{ Querystring: { path?: string } }>('/__dev/events', (request, reply) => {
        const path = typeof request.query.path === 'string' ? request.query.path : undefined;
        reply.hijack(); // a stream that never ends: Fastify must not send a reply of its own
        const raw = reply.raw;
        raw.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-cache',
          connection: 'keep-alive',
        });
        raw.write(': connected\n\n');
        clients.set(raw, path);
        request.raw.on('close', () => clients.delete(raw));
      });
      fastify.addHook('onClose', (_instance, done) => {
        clearInterval(keepalive);
        for (const client of clients.keys()) client.end();
        clients.clear();
        done();
      });
    },
  };
}
