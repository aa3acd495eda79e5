/**
 * Records every answered request in the request-duration histogram and the
 * request counter, labelled by method, route template and status. The
 * metrics are served on their own port by the process model, never here.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type { HttpMetrics } from '../metrics.ts';
import { routeLabel } from './request-log.ts';

export interface MetricsOptions {
  metrics: HttpMetrics;
}

async function metrics(fastify: FastifyInstance, { metrics }: MetricsOptions): Promise<void> {
  // Callback-style hooks on the hot path: an async hook costs a promise per request.
  fastify.addHook('onResponse', (request, reply, done) => {
    const labels = {
      method: request.method,
      route: routeLabel(request),
      status_code: reply.statusCode,
    };
    metrics.requestDuration.observe(labels, reply.elapsedTime / 1000);
    metrics.requests.inc(labels);
    done();
  });
}

export default fp(metrics, { name: 'quire-metrics', fastify: '5.x' });
