/**
 * Cluster-wide metrics: the primary asks every worker for its registry over the cluster IPC
 * channel and sums them with prom-client's `AggregatorRegistry.aggregate` (counters and histogram
 * buckets add up; gauges declare their own aggregator).
 *
 * Not `AggregatorRegistry.clusterMetrics()`: it waits 5 s for the slowest worker and then fails the
 * whole scrape. A stopped or stuck worker must not blank Prometheus' view of the others, so each
 * worker gets `deadlineMs`; the ones that miss it are counted in `quire_metrics_workers_missing`.
 */
import cluster from 'node:cluster';
import {
  AggregatorRegistry,
  type MetricObjectWithValues,
  type MetricValue,
  type Registry,
} from 'prom-client';
import type { Exposition } from './metrics-server.ts';

type WorkerMetrics = MetricObjectWithValues<MetricValue<string>>[];

const REQUEST = 'quire:metrics-request';
const RESPONSE = 'quire:metrics-response';

interface MetricsRequest {
  type: typeof REQUEST;
  id: number;
}
interface MetricsResponse {
  type: typeof RESPONSE;
  id: number;
  metrics: WorkerMetrics;
}

const isResponse = (message: unknown): message is MetricsResponse =>
  (message as MetricsResponse | undefined)?.type === RESPONSE;

/** In a worker: answer the primary's requests with this process's metrics. */
export function answerMetricsRequests(registry: Registry): void {
  process.on('message', (message: MetricsRequest) => {
    if (message?.type !== REQUEST) return;
    void registry.getMetricsAsJSON().then((metrics) => {
      process.send?.({ type: RESPONSE, id: message.id, metrics } satisfies MetricsResponse);
    });
  });
}

let nextId = 0;

/** In the primary: every worker's metrics that arrive within the deadline, plus the primary's own. */
export async function collectClusterMetrics(
  primary: Registry,
  onMissing: (count: number) => void,
  deadlineMs: number,
): Promise<Exposition> {
  const id = nextId++;
  const workers = Object.values(cluster.workers ?? {}).filter((w) => w?.isConnected());
  const answers = await Promise.all(
    workers.map(
      (worker) =>
        new Promise<WorkerMetrics | undefined>((resolve) => {
          if (!worker) return resolve(undefined);
          const timer = setTimeout(() => finish(undefined), deadlineMs);
          const onMessage = (message: unknown) => {
            if (isResponse(message) && message.id === id) finish(message.metrics);
          };
          function finish(metrics: WorkerMetrics | undefined) {
            clearTimeout(timer);
            worker?.off('message', onMessage);
            worker?.off('exit', onExit);
            resolve(metrics);
          }
          const onExit = () => finish(undefined);
          worker.on('message', onMessage);
          worker.once('exit', onExit);
          worker.send({ type: REQUEST, id } satisfies MetricsRequest);
        }),
    ),
  );
  const received = answers.filter((metrics) => metrics !== undefined);
  onMissing(workers.length - received.length);
  const aggregated = AggregatorRegistry.aggregate([...received, await primary.getMetricsAsJSON()]);
  return { contentType: aggregated.contentType, body: await aggregated.metrics() };
}
