/**
 * The throughput reference: a bare Fastify server, no logging, one route that
 * answers a constant HTML string of the requested size. Whatever Quire does
 * per request beyond this (routing to a post, logging, headers, metrics) shows
 * up as the gap between the two.
 *
 *   node bench/bare-server.ts --port 40123 --bytes 20480 [--path /posts/large-post]
 *
 * Listens on 127.0.0.1 only. Exits on SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util';
import Fastify from 'fastify';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    bytes: { type: 'string' },
    path: { type: 'string', default: '/posts/large-post' },
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

await app.listen({ port, host: '127.0.0.1' });

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
