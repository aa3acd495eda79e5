/**
 * The floods case's floor (bench/soak/cases/floods.ts, issue #20): what ordinary readers' p99
 * does beside the same flood when the app is the barest server that still logs its requests:
 * plain Fastify with its own logger on (`logger: true`, the reference issue #17 names), in
 * cluster mode with `WORKERS` processes like the app, answering the ordinary page's exact bytes
 * (read from `FLOOR_BODY_FILE`, fetched from the app in the same run) and the probes. Started by
 * bench/soak/stack.ts in the app's place, with the app's environment (`HOST`, `PORT`, `WORKERS`).
 */
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';
import { ORDINARY_PATH } from './stack.ts';

const workers = Number(process.env.WORKERS ?? '2');
const bodyFile = process.env.FLOOR_BODY_FILE;
if (bodyFile === undefined) throw new Error('floor-server.ts: FLOOR_BODY_FILE is not set');

if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  // A floor that lost a worker would measure something else: stop, loudly.
  cluster.on('exit', () => process.exit(1));
  process.once('SIGTERM', () => {
    cluster.removeAllListeners('exit');
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const body = readFileSync(bodyFile);
  const app = Fastify({ logger: true });
  app.get(ORDINARY_PATH, (_request, reply) => {
    reply.type('text/html; charset=utf-8').send(body);
  });
  app.get('/healthz', (_request, reply) => reply.send('ok'));
  app.get('/readyz', (_request, reply) => reply.send('ok'));
  await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' });
}
