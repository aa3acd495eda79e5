/**
 * Throughput of several servers measured in the same run: a short warm-up of
 * each, then rounds that alternate between them (A, B, C, A, B, C, ...), so
 * that a burst of noise on the machine is shared rather than landing on one
 * server's numbers. Loopback only (see `loadTest`).
 */
import { type LoadResult, loadTest } from './measure.ts';

export interface ThroughputOptions {
  rounds: number;
  durationSec: number;
  connections: number;
  warmupSec: number;
  log: (message: string) => void;
}

export interface ThroughputSummary {
  requestsPerSec: number;
  runs: number[];
  latencyMeanMs: number;
  latencyP99Ms: number;
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

function summarize(results: LoadResult[]): ThroughputSummary {
  return {
    requestsPerSec: Math.round(mean(results.map((r) => r.requestsPerSec))),
    runs: results.map((r) => r.requestsPerSec),
    latencyMeanMs: Math.round(mean(results.map((r) => r.latencyMeanMs)) * 100) / 100,
    latencyP99Ms: Math.round(mean(results.map((r) => r.latencyP99Ms)) * 10) / 10,
  };
}

/** `a / b` to three decimals. */
export const ratio = (a: ThroughputSummary, b: ThroughputSummary): number =>
  Math.round((a.requestsPerSec / b.requestsPerSec) * 1000) / 1000;

/** Load-tests every URL of `targets` (name → URL), in the order given, round after round. */
export async function compareThroughput<Name extends string>(
  targets: Record<Name, string>,
  options: ThroughputOptions,
): Promise<{ order: Name[]; results: Record<Name, ThroughputSummary>; warnings: string[] }> {
  const names = Object.keys(targets) as Name[];
  const { rounds, durationSec, connections, warmupSec, log } = options;
  log(`warm-up: ${warmupSec} s each of ${names.join(', ')}`);
  for (const name of names) await loadTest(targets[name], warmupSec, connections);

  const runs = Object.fromEntries(names.map((name) => [name, [] as LoadResult[]])) as Record<
    Name,
    LoadResult[]
  >;
  const order: Name[] = [];
  const warnings: string[] = [];
  for (let r = 1; r <= rounds; r++) {
    for (const name of names) {
      log(`round ${r}/${rounds}: ${name}, ${durationSec} s, ${connections} connections`);
      const result = await loadTest(targets[name], durationSec, connections);
      runs[name].push(result);
      order.push(name);
      if (result.errors > 0 || result.non2xx > 0) {
        warnings.push(
          `${name} round ${r}: ${result.errors} errors, ${result.non2xx} non-2xx responses`,
        );
      }
    }
  }
  const results = Object.fromEntries(names.map((name) => [name, summarize(runs[name])]));
  return { order, results: results as Record<Name, ThroughputSummary>, warnings };
}
