/**
 * Throughput of several servers measured in the same run: a short warm-up of
 * each, then rounds that alternate between them (A, B, C, A, B, C, ...), so
 * that a burst of noise on the machine is shared rather than landing on one
 * server's numbers. Then the same in CPU time per request: a fixed number of
 * requests to each, in alternating rounds, and the CPU time the server's
 * process tree used meanwhile. Loopback only (see `loadTest`).
 */
import {
  cpuTicks,
  cpuTicksTree,
  type LoadResult,
  loadFixed,
  loadTest,
  machineBusyTicks,
} from './measure.ts';

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

export interface CpuOptions {
  rounds: number;
  /** Requests per run (autocannon `amount`). */
  requests: number;
  connections: number;
  /** Clock ticks per second of /proc/<pid>/stat. */
  ticksPerSec: number;
  /** A run not finished by then is stopped (and the completed requests counted). */
  runTimeoutMs: number;
  log: (message: string) => void;
}

export interface CpuSummary {
  /** Median over the rounds of server CPU microseconds (user + system) per completed request; null if none could be measured. */
  median: number | null;
  /** The lowest round: other work on the machine only ever adds to the figure. */
  min: number | null;
  /** One per round, in order. */
  runs: number[];
  /**
   * Per round, the CPU the rest of the machine used meanwhile (neither this
   * server nor the bench process with autocannon), in cores on average; a round
   * with much of it is likely inflated. Null without /proc/stat.
   */
  otherCpuCores: (number | null)[];
}

export interface CpuTarget {
  url: string;
  /** The server's pid: its CPU time and that of all its descendants (cluster workers) is counted. */
  pid: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const round2 = (value: number) => Math.round(value * 100) / 100;
/** Above this many cores of other work during a CPU round, the round is reported as disturbed. */
export const BUSY_CORES = 0.25;

/**
 * CPU time per request of every target, in the order given, round after round:
 * read the server tree's utime + stime, send exactly `requests` requests, read
 * it again; the difference over the completed requests. Unlike requests per
 * second this does not depend on how much CPU the server got, only on how much
 * it used, so noise from other work on the machine mostly drops out.
 */
export async function compareCpu<Name extends string>(
  targets: Record<Name, CpuTarget>,
  options: CpuOptions,
): Promise<{ order: Name[]; results: Record<Name, CpuSummary>; warnings: string[] }> {
  const names = Object.keys(targets) as Name[];
  const { rounds, requests, connections, ticksPerSec, runTimeoutMs, log } = options;
  const runs = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<
    Name,
    number[]
  >;
  const others = Object.fromEntries(names.map((name) => [name, [] as (number | null)[]])) as Record<
    Name,
    (number | null)[]
  >;
  const order: Name[] = [];
  const warnings: string[] = [];
  const busyRounds: string[] = [];
  for (let r = 1; r <= rounds; r++) {
    for (const name of names) {
      const { url, pid } = targets[name];
      log(`cpu round ${r}/${rounds}: ${name}, ${requests} requests, ${connections} connections`);
      const machineBefore = machineBusyTicks();
      const selfBefore = cpuTicks(process.pid);
      const before = cpuTicksTree(pid);
      const started = performance.now();
      const result = await loadFixed(url, requests, connections, runTimeoutMs);
      const after = cpuTicksTree(pid);
      const seconds = (performance.now() - started) / 1000;
      const selfAfter = cpuTicks(process.pid);
      const machineAfter = machineBusyTicks();
      order.push(name);
      const problems = [
        result.timedOut && `stopped after ${runTimeoutMs} ms`,
        result.requests !== requests && `${result.requests} of ${requests} requests completed`,
        result.errors > 0 && `${result.errors} errors`,
        result.non2xx > 0 && `${result.non2xx} non-2xx responses`,
        before.pids.join() !== after.pids.join() &&
          `processes changed from [${before.pids.join(', ')}] to [${after.pids.join(', ')}]`,
      ].filter(Boolean);
      if (problems.length > 0) warnings.push(`${name} cpu round ${r}: ${problems.join('; ')}`);
      if (result.requests === 0 || before.ticks === undefined || after.ticks === undefined) {
        warnings.push(`${name} cpu round ${r}: nothing to measure (no requests, or no /proc)`);
        continue;
      }
      const serverTicks = after.ticks - before.ticks;
      const micros = (serverTicks / ticksPerSec) * 1e6;
      runs[name].push(round2(micros / result.requests));
      let other: number | null = null;
      if (machineBefore !== undefined && machineAfter !== undefined) {
        const selfTicks = (selfAfter ?? 0) - (selfBefore ?? 0);
        const otherTicks = Math.max(0, machineAfter - machineBefore - serverTicks - selfTicks);
        other = round2(otherTicks / ticksPerSec / seconds);
        if (other > BUSY_CORES) busyRounds.push(`${name} round ${r} (${other})`);
      }
      others[name].push(other);
    }
  }
  if (busyRounds.length > 0) {
    warnings.push(
      `cpu rounds during which other processes used more than ${BUSY_CORES} of a core (figures likely inflated): ${busyRounds.join(', ')}`,
    );
  }
  const results = Object.fromEntries(
    names.map((name) => [
      name,
      {
        median: runs[name].length > 0 ? round2(median(runs[name])) : null,
        min: runs[name].length > 0 ? Math.min(...runs[name]) : null,
        runs: runs[name],
        otherCpuCores: others[name],
      },
    ]),
  );
  return { order, results: results as Record<Name, CpuSummary>, warnings };
}

/** `reference / measured` to three decimals: 1.0 is as cheap per request as the reference, 0.5 twice the CPU. */
export const cpuEfficiency = (reference: CpuSummary, measured: CpuSummary): number | null =>
  reference.median === null || measured.median === null || measured.median === 0
    ? null
    : Math.round((reference.median / measured.median) * 1000) / 1000;
