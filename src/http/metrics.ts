/**
 * Records an answered request in the request-duration histogram and the request counter,
 * labelled by method, route template and status. Called from the access log's `onResponse`
 * hook (`request-log.ts`), so that one hook per request does both. The metrics are served on
 * their own port by the process model, never here.
 */
import type { HttpMetrics } from '../metrics.ts';

export function recordRequest(
  metrics: HttpMetrics,
  method: string,
  route: string,
  statusCode: number,
  durationMs: number,
): void {
  const labels = { method, route, status_code: statusCode };
  metrics.requestDuration.observe(labels, durationMs / 1000);
  metrics.requests.inc(labels);
}
