import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { UNMATCHED_ROUTE } from '../../src/http/request-log.ts';
import { createLogger } from '../../src/log.ts';
import { createHttpMetrics, METRIC_PREFIX } from '../../src/metrics.ts';
import { defaultSite } from './harness.ts';

function appWithMetrics() {
  const registry = new Registry();
  const metrics = createHttpMetrics(registry);
  const lines: string[] = [];
  const logger = createLogger('info', { write: (chunk: string) => void lines.push(chunk) });
  const app = buildApp(loadConfig({}, []), defaultSite(), { logger, metrics });
  return { app, registry, lines };
}

/**
 * `{labels → value}` of one series, labels as `method route status`: a counter by its name, a
 * histogram's observation count by `<name>_count`.
 */
async function values(registry: Registry, series: string): Promise<Map<string, number>> {
  const name = series.replace(/_count$/, '');
  const metric = await registry.getSingleMetric(`${METRIC_PREFIX}${name}`)?.get();
  assert.ok(metric, name);
  const wanted = metric.values.filter(
    // A histogram's values carry the name of their series (`_bucket`, `_sum`, `_count`).
    (value) =>
      name === series ||
      (value as { metricName?: string }).metricName === `${METRIC_PREFIX}${series}`,
  );
  return new Map(
    wanted.map((value) => [
      `${value.labels.method} ${value.labels.route} ${value.labels.status_code}`,
      value.value,
    ]),
  );
}

describe('request metrics', () => {
  it('count every answered request and its duration by method, route template and status', async (t) => {
    const { app, registry, lines } = appWithMetrics();
    t.after(() => app.close());
    await app.inject({ url: '/posts/hello-world' });
    await app.inject({ url: '/posts/second' });
    const etag = String((await app.inject({ url: '/' })).headers.etag);
    await app.inject({ url: '/', headers: { 'if-none-match': etag } });
    await app.inject({ method: 'HEAD', url: '/' });
    await app.inject({ url: '/no/such/page' });
    await app.inject({ url: '/posts/no-such-post' });

    const requests = await values(registry, 'http_requests_total');
    assert.deepEqual(Object.fromEntries(requests), {
      'GET /posts/:slug 200': 2,
      'GET / 200': 1,
      'GET / 304': 1,
      'HEAD / 200': 1,
      [`GET ${UNMATCHED_ROUTE} 404`]: 2,
    });
    const durations = await values(registry, 'http_request_duration_seconds_count');
    assert.deepEqual(Object.fromEntries(durations), Object.fromEntries(requests));
    // Each request was also logged, exactly once.
    assert.equal(lines.filter((line) => line.includes('"request completed"')).length, 7);
  });
});
