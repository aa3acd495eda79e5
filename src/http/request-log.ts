/**
 * Access log: exactly one line per request, written when the response has finished, under the
 * `quire` namespace:
 *
 *   {"level":"info","time":"…","pid":1,"hostname":"…","quire":{"requestId":"…",
 *    "method":"GET","route":"/posts/:slug","statusCode":200,"durationMs":0.84,
 *    "remoteAddress":"10.1.2.3"},"msg":"request completed"}
 *
 * `route` is the route template (bounded cardinality, no user data), or `(not found)`.
 *
 * The line's level comes from the route's `config: { accessLogLevel: 'debug' }` alone (not
 * Fastify's route `logLevel`): the probes lower theirs, since the kubelet calls them every few
 * seconds. The same hook records the request in the metrics, when the process model passes them.
 *
 * Fastify's own per-request lines ("incoming request", "request completed", "Route … not found")
 * are switched off by `QuireLogController`, passed to Fastify as `logController` by `buildApp`.
 */
import { performance } from 'node:perf_hooks';
import {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import fp from 'fastify-plugin';
import type { HttpMetrics } from '../metrics.ts';

export const UNMATCHED_ROUTE = '(not found)';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Level of this route's access-log line; default `info`. */
    accessLogLevel?: 'info' | 'debug' | 'trace';
  }
}

/**
 * Fastify's built-in request logging, off: this plugin writes the one line. Unlike the deprecated
 * `disableRequestLogging: true`, Fastify's error safety nets stay on (errors thrown by
 * `onResponse` hooks, response stream failures, writeHead failures).
 */
export class QuireLogController extends LogController {
  override incomingRequest(): void {}

  override routeNotFound(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
    metadata?: Record<string, unknown>,
  ): void {
    if (error) super.requestCompleted(error, request, reply, metadata);
  }
}

/** The route template, or `UNMATCHED_ROUTE` for the not-found handler and framework errors. */
function routeLabel(route: FastifyRequest['routeOptions']): string {
  // `request.is404` is exactly "the route has no url"; `routeOptions` builds a new object on
  // every read, so callers read it once per request.
  return route.url ?? UNMATCHED_ROUTE;
}

/**
 * Writes the access-log line of a finished request, through the app's logger rather than
 * `request.log`: the request id is one of the fields anyway, and so the per-request logger is
 * never made for a request that logs nothing else (see `request-id.ts`).
 */
function logRequest(
  request: FastifyRequest,
  reply: FastifyReply,
  route: FastifyRequest['routeOptions'],
  durationMs: number,
): void {
  const level = route.config?.accessLogLevel ?? 'info';
  request.server.log[level](
    {
      requestId: request.id,
      method: request.method,
      route: routeLabel(route),
      statusCode: reply.statusCode,
      durationMs: Math.round(durationMs * 1000) / 1000,
      remoteAddress: request.ip,
    },
    'request completed',
  );
}

/** For requests Fastify rejects before routing (`frameworkErrors`): no `onResponse` runs. */
export function logRequestWhenFinished(request: FastifyRequest, reply: FastifyReply): void {
  const start = performance.now();
  reply.raw.once('finish', () =>
    logRequest(request, reply, request.routeOptions, performance.now() - start),
  );
}

/**
 * The one `onResponse` hook: the access line, then the metrics (when given). One hook rather
 * than one per plugin, so the route options are read, and the duration taken, once per request.
 */
async function requestLog(
  fastify: FastifyInstance,
  { metrics }: { metrics?: HttpMetrics | undefined },
): Promise<void> {
  // Callback style: on the hot path an async hook costs a promise per request.
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions;
    const durationMs = reply.elapsedTime;
    logRequest(request, reply, route, durationMs);
    if (metrics) {
      const labels = {
        method: request.method,
        route: routeLabel(route),
        status_code: reply.statusCode,
      };
      metrics.requestDuration.observe(labels, durationMs / 1000);
      metrics.requests.inc(labels);
    }
    done();
  });
}

export default fp(requestLog, { name: 'quire-request-log', fastify: '5.x' });
