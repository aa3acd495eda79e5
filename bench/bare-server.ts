/**
 * The throughput reference: a bare Fastify server, no logging, one route that
 * answers a constant HTML string of the requested size. Whatever Quire does
 * per request beyond this (routing to a post, logging, headers, metrics) shows
 * up as the gap between the two.
 *
 * With `--log`, it also writes the one access-log line per request that issue #2
 * requires, with Quire's own logger (src/log.ts: pino, synchronous stdout) and
 * the same fields: what that requirement alone costs a bare server, measured
 * beside it in the same run.
 *
 *   node bench/bare-server.ts --port 40123 --bytes 20480 [--path /posts/large-post] [--log]
 *
 * Listens on 127.0.0.1 only. Exits on SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { createLogger } from '../src/log.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    bytes: { type: 'string' },
    path: { type: 'string', default: '/posts/large-post' },
    log: { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
const bytes = Number(values.bytes);
if (!Number.isInteger(port) || !Number.isInteger(bytes) || bytes < 128) {
  process.stderr.write('usage: bare-server.ts --port N --bytes N (N >= 128) [--path /route]\n');
  process.exit(2);
}

/** ASCII only, so its length in characters is its length in bytes. */
function page(size: number): string {
  const head = '<!doctype html><html lang="en"><head><title>bare</title></head><body><p>';
  const tail = '</p></body></html>\n';
  return head + 'x'.repeat(size - head.length - tail.length) + tail;
}

const body = page(bytes);
const app = Fastify({ logger: false });
app.get(values.path, (_request, reply) => {
  reply.type('text/html; charset=utf-8').send(body);
});
if (values.log) {
  const logger = createLogger('info');
  // The fields of Quire's access line (src/http/request-log.ts), written the same way.
  app.addHook('onResponse', (request, reply, done) => {
    logger.info(
      {
        requestId: request.id,
        method: request.method,
        route: request.routeOptions.url,
        statusCode: reply.statusCode,
        durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
        remoteAddress: request.ip,
      },
      'request completed',
    );
    done();
  });
}

await app.listen({ port, host: '127.0.0.1' });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
