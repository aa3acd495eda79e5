/**
 * The throughput references: plain Fastify, one route answering the exact bytes of a Quire page
 * (read from a file) with the same response headers (copied from Quire's answer; the request id
 * made per request, as Quire does), so every server of the comparison puts the same bytes on
 * the wire. Three ways to log:
 *
 * - none: the bare route, the floor of any Fastify server;
 * - `--log`: one access line per request with the fields of Quire's (#2), written by pino to
 *   stdout synchronously as Quire's logger does: the floor of a server that logs #2's line;
 * - `--fastify-logger`: `Fastify({ logger: true })`, Fastify's default request logging, what a
 *   Fastify user gets (two lines per request): the reference of issue #17's throughput target.
 *
 *   node bench/bare-server.ts --port 40123 --body-file page.html [--headers-file headers.json]
 *                             [--path /posts/large-post] [--log | --fastify-logger]
 *
 * `headers.json` is an array of [name, value] pairs. Listens on 127.0.0.1 only. Exits on SIGTERM
 * or SIGINT.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import pino from 'pino';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    'body-file': { type: 'string' },
    'headers-file': { type: 'string' },
    path: { type: 'string', default: '/posts/large-post' },
    log: { type: 'boolean', default: false },
    'fastify-logger': { type: 'boolean', default: false },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || values['body-file'] === undefined) {
  process.stderr.write(
    'usage: bare-server.ts --port N --body-file FILE [--headers-file FILE] [--path /route] [--log | --fastify-logger]\n',
  );
  process.exit(2);
}
if (values.log && values['fastify-logger']) {
  process.stderr.write('bare-server.ts: --log and --fastify-logger exclude each other\n');
  process.exit(2);
}

const body = readFileSync(values['body-file']);
const headers: Record<string, string> =
  values['headers-file'] === undefined
    ? { 'content-type': 'text/html; charset=utf-8' }
    : Object.fromEntries(
        JSON.parse(readFileSync(values['headers-file'], 'utf8')) as [string, string][],
      );

const app = Fastify({ logger: values['fastify-logger'], genReqId: () => randomUUID() });
app.get(values.path, (request, reply) => {
  reply.headers(headers).header('x-request-id', request.id).send(body);
});
if (values.log) {
  const logger = pino(
    {
      nestedKey: 'quire',
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    pino.destination({ dest: 1, sync: true }),
  );
  // The fields of Quire's access line (README, "Logs").
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
