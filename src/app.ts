/**
 * The web application factory. `buildApp` wires plugins and returns a Fastify
 * instance that never listens: `src/server.ts` calls `listen()`, tests call
 * `inject()`.
 *
 * Plugins, one per file under `src/http/`:
 *   request-id   X-Request-Id in and out, request id on every request log line
 *   request-log  one access-log line per request
 *   views        nunjucks + the page cache, rendered once in onReady
 *   errors       the one error handler and the one not-found handler
 *   assets       /assets/* (templates/assets)
 *   routes/pages /, /posts/:slug
 *   routes/health /healthz, /readyz
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import type { Site } from './content/types.ts';
import assets from './http/assets.ts';
import errors, { frameworkErrors } from './http/errors.ts';
import { createLifecycle, type Lifecycle } from './http/lifecycle.ts';
import requestId, { childLoggerFactory, genReqId } from './http/request-id.ts';
import requestLog, { QuireLogController } from './http/request-log.ts';
import health from './http/routes/health.ts';
import pages from './http/routes/pages.ts';
import views, { type PageCache } from './http/views.ts';
import { createLogger, type Logger } from './log.ts';

export interface BuildAppOptions {
  /** Default: `createLogger(config.logLevel)`, JSON lines on stdout. */
  logger?: Logger;
  /** Default: not draining. The process model flips `draining` on SIGTERM. */
  lifecycle?: Lifecycle;
  /**
   * Fastify `trustProxy`: which peers may set X-Forwarded-For/-Proto/-Host,
   * and so `request.ip` in the access log. Default `false` (the socket's
   * peer address). Behind nginx, pass nginx's address(es) or CIDR(s), e.g.
   * `'127.0.0.1'` for a sidecar or the pod network's range for an ingress.
   */
  trustProxy?: boolean | string | string[];
}

export function buildApp(
  config: Config,
  site: Site,
  options: BuildAppOptions = {},
): FastifyInstance {
  const lifecycle = options.lifecycle ?? createLifecycle();
  // Typed as Fastify's base logger so the app is a plain `FastifyInstance`.
  const logger: FastifyBaseLogger = options.logger ?? createLogger(config.logLevel);
  const app = Fastify({
    loggerInstance: logger,
    logController: new QuireLogController(),
    requestIdHeader: false,
    genReqId,
    childLoggerFactory,
    frameworkErrors,
    trustProxy: options.trustProxy ?? false,
    exposeHeadRoutes: true,
  });

  const pageCache: PageCache = new Map();

  app.register(requestId);
  app.register(requestLog);
  app.register(views, { site, pages: pageCache });
  app.register(errors);
  app.register(assets);
  app.register(pages, { pages: pageCache });
  app.register(health, { lifecycle });

  return app;
}
