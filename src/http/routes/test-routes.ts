/**
 * Routes that exist only for the process-model tests (config `TEST_ROUTES`): a slow request to have
 * work in flight during shutdown, an error inside a request (500), a fatal error outside any
 * request's error handling, the kind that must kill the process, and a blocked event loop (a
 * worker that hangs while running, issue #20).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';

export default async function testRoutes(fastify: FastifyInstance): Promise<void> {
  fastify.get<{ Querystring: { ms?: string } }>('/__test/slow', async (request) => {
    const ms = Math.min(Number(request.query.ms ?? 1000) || 0, 60_000);
    await sleep(ms);
    return { sleptMs: ms, pid: process.pid };
  });

  fastify.get('/__test/pid', async () => ({ pid: process.pid }));

  // Busy, not asleep: nothing else runs in this process until `ms` have passed.
  fastify.get<{ Querystring: { ms?: string } }>('/__test/block', (request, reply) => {
    const ms = Math.min(Number(request.query.ms ?? 1000) || 0, 120_000);
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // spin
    }
    reply.send({ blockedMs: ms, pid: process.pid });
  });

  // A request that fails inside the app: the central error handler answers 500
  // (the nginx tests check that such a page still carries nginx's headers).
  fastify.get('/__test/error', async () => {
    throw new Error('test error requested');
  });

  fastify.get('/__test/crash', async () => {
    // Thrown from a timer, not the handler: no error handler can catch it.
    setImmediate(() => {
      throw new Error('test crash requested');
    });
    return { crashing: process.pid };
  });
}
