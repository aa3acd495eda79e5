/**
 * Ordinary readers beside a soak case (issue #20): a few keep-alive connections, each reading a
 * post page, pausing, and reading it again, from a worker thread of their own
 * (ordinary-readers.ts). First alone (the quiet baseline), then while the case runs, in the same
 * run; the figures are the latencies of both.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { OrdinaryFigures, OrdinarySampler, SoakTarget } from './case.ts';
import type { ReadersInput, Sample } from './ordinary-readers.ts';
import { ORDINARY_PATH } from './stack.ts';

const CONNECTIONS = 4;
/** Bounds a phase whatever the case does. */
const MAX_PHASE_MS = 10 * 60_000;

/**
 * Starts the readers; `ready` resolves once their connections are open and timing has begun,
 * `stop()` ends them and resolves with what they saw.
 */
function readers(
  target: SoakTarget,
  maxMs: number,
): { ready: Promise<unknown>; stop: () => Promise<Sample> } {
  const input: ReadersInput = {
    url: target.baseUrl + ORDINARY_PATH,
    host: target.host,
    connections: CONNECTIONS,
    maxMs,
  };
  const worker = new Worker(new URL('./ordinary-readers.ts', import.meta.url), {
    workerData: input,
  });
  const ready = once(worker, 'message');
  const done = ready.then(() => once(worker, 'message')).then(([sample]) => sample as Sample);
  return {
    ready,
    stop: () => {
      worker.postMessage('stop');
      return done;
    },
  };
}

/** Runs the readers for `ms` alone. */
async function quiet(target: SoakTarget, ms: number): Promise<Sample> {
  const run = readers(target, ms);
  await run.ready;
  await new Promise((resolve) => setTimeout(resolve, ms));
  return run.stop();
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round(sorted[Math.max(0, index)]! * 10) / 10;
}

export function ordinarySampler(baselineMs: number): OrdinarySampler {
  return {
    async alongside(target, work) {
      // Warm: the page rendered into the page store, the worker's code loaded.
      await quiet(target, 300);
      const baseline = await quiet(target, baselineMs);
      const readersDuring = readers(target, MAX_PHASE_MS);
      await readersDuring.ready;
      const outcome = await work().then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      const during = await readersDuring.stop();
      if ('error' in outcome) throw outcome.error;
      const figures: OrdinaryFigures = {
        sent: during.sent,
        answered: during.answered,
        failed: during.failed + baseline.failed,
        failures: mergeCounts(baseline.failures, during.failures),
        p50Ms: percentile(during.latenciesMs, 50),
        p99Ms: percentile(during.latenciesMs, 99),
        baselineP99Ms: percentile(baseline.latenciesMs, 99),
      };
      return [outcome.value, figures];
    },
  };
}

function mergeCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const merged = { ...a };
  for (const [key, count] of Object.entries(b)) merged[key] = (merged[key] ?? 0) + count;
  return merged;
}

/** Issue #20's target for traffic beside slow clients and floods: p99 within 2 × the quiet p99. */
export const withinTwiceBaseline = (figures: OrdinaryFigures): boolean =>
  figures.failed === 0 && figures.p99Ms <= 2 * figures.baselineP99Ms;
