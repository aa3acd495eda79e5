/**
 * Quire's Prometheus metrics (prom-client). Every name carries the one
 * `quire_` prefix, Node's default process metrics included.
 *
 * In cluster mode each process has its own registry; the primary sums them
 * (see src/process/metrics-collector.ts). Hence no Summary anywhere: quantiles
 * cannot be summed across processes, histogram buckets can. Metrics that must
 * not be summed declare how to aggregate (`aggregator`).
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const METRIC_PREFIX = 'quire_';

/** A registry with Node's default process metrics (CPU, memory, event loop lag, GC, handles). */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}

export type HttpMetrics = ReturnType<typeof createHttpMetrics>;

/**
 * Recorded by every serving process. Requests are labelled by route template, never the raw
 * URL: a scanner requesting random paths must not create a time series per path.
 */
export function createHttpMetrics(registry: Registry) {
  return {
    requestDuration: new Histogram({
      name: `${METRIC_PREFIX}http_request_duration_seconds`,
      help: 'Time from request received to response finished, by route template.',
      labelNames: ['method', 'route', 'status_code'],
      // Pages are served from memory: most answers take well under 5 ms.
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    requests: new Counter({
      name: `${METRIC_PREFIX}http_requests_total`,
      help: 'HTTP requests answered, by route template.',
      labelNames: ['method', 'route', 'status_code'],
      registers: [registry],
    }),
    // The pages rendered on demand (issue #17).
    renders: new Counter({
      name: `${METRIC_PREFIX}page_renders_total`,
      help: 'Pages rendered from the templates because no cached copy was there, by kind of page.',
      labelNames: ['kind'],
      registers: [registry],
    }),
    // Issue #18: a social card is drawn by the first request of its URL, then served from the cache.
    cardsDrawn: new Counter({
      name: `${METRIC_PREFIX}social_cards_drawn_total`,
      help: 'Social cards drawn because a request found none in the render cache.',
      registers: [registry],
    }),
    cacheBytes: new Gauge({
      name: `${METRIC_PREFIX}page_cache_bytes`,
      help: 'Bytes of rendered pages kept in memory (at most PAGE_CACHE_MB per process).',
      registers: [registry],
    }),
    // Issue #19: the bench's target is per query, so this times the query and its snippets alone.
    searchDuration: new Histogram({
      name: `${METRIC_PREFIX}search_duration_seconds`,
      help: 'Time to answer one search: the index query and the snippets of its page (not the index build, once per process).',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
  };
}

export type ContentMetrics = ReturnType<typeof createContentMetrics>;

/** Recorded by the process that loads (and renders) the posts: the primary, or the single process. */
export function createContentMetrics(registry: Registry) {
  return {
    posts: new Gauge({
      name: `${METRIC_PREFIX}posts`,
      help: 'Published posts being served.',
      aggregator: 'max',
      registers: [registry],
    }),
    renderDuration: new Histogram({
      name: `${METRIC_PREFIX}render_duration_seconds`,
      help: 'Time to render one post body (Markdown, highlighting, sanitizing) on a cache miss.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    renderCacheHits: new Counter({
      name: `${METRIC_PREFIX}render_cache_hits_total`,
      help: 'Posts loaded from the on-disk render cache.',
      registers: [registry],
    }),
    renderCacheMisses: new Counter({
      name: `${METRIC_PREFIX}render_cache_misses_total`,
      help: 'Posts that had to be rendered.',
      registers: [registry],
    }),
  };
}

export function createClusterMetrics(registry: Registry) {
  return {
    workerRestarts: new Counter({
      name: `${METRIC_PREFIX}worker_restarts_total`,
      help: 'Workers the primary replaced after they died.',
      registers: [registry],
    }),
    scrapeWorkersMissing: new Gauge({
      name: `${METRIC_PREFIX}metrics_workers_missing`,
      help: 'Workers that did not answer this scrape in time; their counts are absent from it.',
      registers: [registry],
    }),
  };
}
