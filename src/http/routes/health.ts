/**
 * Kubernetes probes.
 *
 * - `GET /healthz` (liveness): 200 while the process can answer at all.
 * - `GET /readyz` (readiness): 200 once the app is ready (`buildApp` gets a loaded `Site`, and
 *   Fastify serves nothing before `onReady`), 503 while draining, so the pod leaves the Service
 *   endpoints before it stops.
 *
 * Both are logged at debug level: the kubelet calls them every few seconds.
 */
import type { FastifyInstance } from 'fastify';
import type { Lifecycle } from '../lifecycle.ts';

const statusSchema = {
  type: 'object',
  properties: { status: { type: 'string' } },
  required: ['status'],
} as const;

export default async function health(
  fastify: FastifyInstance,
  { lifecycle }: { lifecycle: Lifecycle },
): Promise<void> {
  const config = { accessLogLevel: 'debug' } as const;

  fastify.get(
    '/healthz',
    { config, schema: { response: { 200: statusSchema } } },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return { status: 'ok' };
    },
  );

  fastify.get(
    '/readyz',
    { config, schema: { response: { 200: statusSchema, 503: statusSchema } } },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      if (lifecycle.draining) return reply.code(503).send({ status: 'draining' });
      return { status: 'ready' };
    },
  );
}
