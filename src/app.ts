/**
 * The web application factory. `buildApp` wires plugins and returns a Fastify instance that never
 * listens: `src/server.ts` calls `listen()`, tests call `inject()`. One plugin per file under
 * `src/http/` (the routes under `routes/`), each saying what it does; `/__test/*` only with
 * TEST_ROUTES, the dev server's plugin only from `npm run dev`.
 */
import { join, resolve } from 'node:path';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyPluginAsync,
  type FastifyPluginCallback,
} from 'fastify';
import type nunjucks from 'nunjucks';
import type { Config } from './config.ts';
import type { Site } from './content/types.ts';
import { loadAssetManifest } from './http/asset-manifest.ts';
import assets from './http/assets.ts';
import media from './http/media.ts';
import errors, { frameworkErrors } from './http/errors.ts';
import { createLifecycle, type Lifecycle } from './http/lifecycle.ts';
import requestId, { childLoggerFactory, genReqId } from './http/request-id.ts';
import requestFraming, { clientErrorHandler } from './http/request-framing.ts';
import requestLog, { QuireLogController } from './http/request-log.ts';
import securityHeaders, { SECURITY_HEADERS } from './http/security-headers.ts';
import health from './http/routes/health.ts';
import { createPageStore, type PageStore } from './http/page-store.ts';
import archive from './http/routes/archive.ts';
import feeds from './http/routes/feeds.ts';
import pages from './http/routes/pages.ts';
import search from './http/routes/search.ts';
import searchEngines from './http/routes/search-engines.ts';
import standalonePages from './http/routes/standalone-pages.ts';
import tags from './http/routes/tags.ts';
import testRoutes from './http/routes/test-routes.ts';
import { type SiteMeta, siteMeta } from './http/pages/site-meta.ts';
import views from './http/views.ts';
import { createLogger, type Logger } from './log.ts';
import type { HttpMetrics } from './metrics.ts';

export interface BuildAppOptions {
  /** Default: `createLogger(config.logLevel)`, JSON lines on stdout. */
  logger?: Logger;
  /** Default: not draining. The process model flips `draining` on SIGTERM. */
  lifecycle?: Lifecycle;
  /** Fastify `trustProxy`: which peers may set X-Forwarded-*. Default: config `TRUST_PROXY`. */
  trustProxy?: boolean | string | string[];
  /** Where request durations and counts, page renders and the page cache's size go. */
  metrics?: HttpMetrics;
  /** Only `npm run dev` (src/dev/) passes this; production never does. */
  dev?: DevHooks;
  /** The clock that decides which posts are published (scheduling, issue #3); tests move it. */
  now?: () => Date;
}

/** What the dev server's plugin gets: the page store, and the site meta it may update in place. */
export interface DevPluginOptions {
  store: PageStore;
  meta: SiteMeta;
}

/**
 * Where the dev server plugs in: it lists every post, with its banner, and reloads templates and
 * the site file.
 */
export interface DevHooks {
  onEnvironment(env: nunjucks.Environment): void;
  /** Template data on every page (badges, problems, the reload script) and its identity. */
  preview: { data(): Record<string, unknown>; key(): string };
  /** Registered before the page routes, with the page store they serve from. */
  plugin: FastifyPluginAsync<DevPluginOptions> | FastifyPluginCallback<DevPluginOptions>;
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
    clientErrorHandler,
    trustProxy: options.trustProxy ?? config.trustProxy,
    exposeHeadRoutes: true,
    // Timeouts that fit nginx in front (documented in the README): idle keep-alive sockets outlive
    // nginx's upstream `keepalive_timeout` (60 s), so nginx never reuses a socket Node is closing
    // (the classic sporadic 502); a whole request must arrive within 30 s.
    keepAliveTimeout: 65_000,
    requestTimeout: 30_000,
    // Node enforces headersTimeout and requestTimeout only when it checks, every 30 s by default:
    // a slowloris connection lived up to 40 s, not 10 (issue #20, the soak's slow-clients case).
    // https://nodejs.org/api/http.html#httpcreateserveroptions-requestlistener
    http: { connectionsCheckingInterval: 1000 },
    // While closing, requests already on an open connection are still served
    // (with `Connection: close`) rather than answered 503: they were accepted.
    return503OnClosing: false,
  });
  // Headers must be complete within 10 s of the first byte (slowloris).
  app.server.headersTimeout = 10_000;

  // Draining: every response asks keep-alive clients to reconnect elsewhere, so no idle connection
  // is left for the close to race with.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (lifecycle.draining) reply.header('connection', 'close');
    done(null, payload);
  });

  const meta: SiteMeta = { ...siteMeta(config), title: site.title, url: site.url };
  const store = createPageStore({
    site,
    meta,
    pageSize: config.pageSize,
    now: options.now ?? (() => new Date()),
    maxBytes: config.pageCacheMb * 2 ** 20,
    logger,
    metrics: options.metrics,
    preview: options.dev?.preview,
  });
  const assetsDir = join(config.templatesDir, 'assets');
  // The dev server's theme changes under it: plain asset names, revalidated on every load.
  const assetManifest = loadAssetManifest(assetsDir, { hashed: !options.dev });

  // Behind Quire's nginx (SECURITY_HEADERS=proxy) nginx adds the same set to every response.
  if (config.securityHeaders === 'app') app.register(securityHeaders);
  app.register(requestId);
  app.register(requestLog, { metrics: options.metrics });
  app.register(views, {
    meta,
    store,
    onEnvironment: options.dev && ((env) => options.dev?.onEnvironment(env)),
    templatesDir: config.templatesDir,
    assetUrl: assetManifest.url,
  });
  app.register(requestFraming, {
    headers: config.securityHeaders === 'app' ? SECURITY_HEADERS : {},
  });
  if (options.dev) app.register(options.dev.plugin, { store, meta });
  app.register(errors, { store });
  app.register(assets, { dir: assetsDir, manifest: assetManifest, dev: options.dev !== undefined });
  app.register(media, { store, postsDir: resolve(config.postsDir) });
  for (const routes of [pages, tags, archive, feeds, searchEngines, search, standalonePages])
    app.register(routes, { store });
  app.register(health, { lifecycle });
  if (config.testRoutes) app.register(testRoutes);

  return app;
}
