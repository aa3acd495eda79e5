/**
 * Fault case (issue #20): a cluster worker that hangs under load (WORKERS=2). The worker is
 * stopped (SIGSTOP): from the outside, a hang is exactly that, an open socket and nothing
 * answering. Keep-alive traffic runs alongside (8 connections, as nginx keeps to its upstream),
 * and new connections probe `/healthz` during the hang. Target: the probes the kernel hands the
 * stopped worker time out (its liveness fails); the primary's watchdog kills it after
 * WORKER_HANG_MS with one warning naming it, and replaces it; the only failed requests are those
 * open on it until it was killed, and the other worker answers throughout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { steadyLoad } from '../../../test/helpers/load.ts';
import {
  isAlive,
  linesWith,
  listenerGone,
  listenersOn,
  listeningPids,
  newListener,
  workersListening,
  replacementBoundMs,
  workersStartMs,
} from '../faults/cluster.ts';
import { type FaultFigures, type Judged, judged, RequestLog } from '../faults/figures.ts';
import { inScope } from '../faults/scope.ts';

export type HungWorkerFigures = FaultFigures &
  Judged & {
    hangs: number;
    workerHangMs: number;
    /** Probes of `/healthz` on new connections during a hang, and those that got no answer in time. */
    probes: number;
    probesTimedOut: number;
    /** The watchdog's warnings, and the longest silence one names. */
    warnings: number;
    longestSilenceMs: number;
    /** From the stop to the replacement listening, the slowest. */
    slowestReplacementMs: number;
    /** How long the first workers took to start, in the same run: the machine's pace. */
    firstWorkersStartMs: number;
    /** Requests open from a stop until the stopped worker's socket closed (what it held). */
    openDuringHangs: number;
    failedOutsideHangs: number;
    /** Requests answered while a worker was stopped: the other one kept serving. */
    answeredDuringHangs: number;
  };

const CONNECTIONS = 8;
const PROBES = 16;
const PROBE_TIMEOUT_MS = 500;
const PAGE = '/posts/writing-a-post';
const WATCHDOG_WARNING = 'ms (WORKER_HANG_MS';

export async function hungWorkerUnderLoad({
  short,
}: {
  short: boolean;
}): Promise<HungWorkerFigures> {
  const hangs = short ? 1 : 3;
  // The short mode waits less: the smallest value a person may set; the soak runs the default.
  const workerHangMs = short ? 2000 : 5000;
  return inScope(async (scope) => {
    const server = scope.server({
      WORKERS: '2',
      NODE_ENV: 'production',
      POSTS_DIR: 'posts',
      CACHE_DIR: await scope.tempDir(),
      CRASH_LOOP_WINDOW_MS: '1000',
      ...(short ? { WORKER_HANG_MS: String(workerHangMs) } : {}),
    });
    const base = await workersListening(server, 2);
    const port = Number(new URL(base).port);
    const firstWorkersStartMs = workersStartMs(server);
    const requests = new RequestLog();
    const stop = new AbortController();
    const load = steadyLoad(new URL(PAGE, base).href, {
      connections: CONNECTIONS,
      signal: stop.signal,
      maxMs: 300_000,
      onRequest: requests.add,
    });
    const windows: { from: number; to: number }[] = [];
    let probes = 0;
    let probesTimedOut = 0;
    let slowestReplacementMs = 0;
    try {
      await sleep(1000);
      for (let hang = 0; hang < hangs; hang++) {
        const known = new Set(listeningPids(server));
        const listening = await listenersOn(port);
        const victim = [...known].filter(isAlive)[hang % 2]!;
        const from = performance.now();
        process.kill(victim, 'SIGSTOP');
        const gone = listenerGone(port, listening);
        // New connections, as a load balancer's health check makes them, while it hangs.
        const answers = await Promise.all(
          Array.from({ length: PROBES }, () => probe(new URL('/healthz', base).href)),
        );
        probes += answers.length;
        probesTimedOut += answers.filter((answered) => !answered).length;
        windows.push({ from, to: await gone });
        await newListener(server, known, 60_000);
        slowestReplacementMs = Math.max(slowestReplacementMs, performance.now() - from);
        await sleep(short ? 1000 : 3000);
      }
    } finally {
      stop.abort();
      await load;
    }
    const warnings = linesWith(server, WATCHDOG_WARNING);
    const open = new Set(windows.flatMap(({ from, to }) => requests.openDuring(from, to)));
    const figures = {
      ...requests.figures(),
      hangs,
      workerHangMs,
      probes,
      probesTimedOut,
      warnings: warnings.length,
      longestSilenceMs: Math.max(0, ...warnings.map((line) => Number(line.quire?.silentMs))),
      slowestReplacementMs: Math.round(slowestReplacementMs),
      firstWorkersStartMs,
      openDuringHangs: open.size,
      failedOutsideHangs: requests.failures().filter((request) => !open.has(request)).length,
      answeredDuringHangs: requests.requests.filter(
        (request) =>
          request.one.kind === 'answered' &&
          windows.some(({ from, to }) => request.endedAt > from && request.endedAt < to),
      ).length,
    };
    const bound = workerHangMs + replacementBoundMs(firstWorkersStartMs);
    return judged(figures, [
      [figures.probesTimedOut > 0, 'every probe was answered: no worker hung'],
      [
        figures.probesTimedOut < figures.probes,
        'no probe was answered: the other worker did not serve',
      ],
      [figures.warnings === hangs, `${figures.warnings} watchdog warnings for ${hangs} hangs`],
      [
        figures.longestSilenceMs >= workerHangMs,
        `killed after ${figures.longestSilenceMs} ms of silence`,
      ],
      [
        figures.slowestReplacementMs < bound,
        `a replacement took ${figures.slowestReplacementMs} ms (bound ${bound})`,
      ],
      [figures.answeredDuringHangs > 0, 'nothing was answered while a worker hung'],
      [
        figures.failedOutsideHangs === 0,
        `${figures.failedOutsideHangs} failed that were not open on the hung worker`,
      ],
      [figures.fiveXX === 0, `${figures.fiveXX} answers were 5xx`],
    ]);
  });
}

/** Whether `/healthz` answered 200 on a new connection within PROBE_TIMEOUT_MS. */
async function probe(url: string): Promise<boolean> {
  try {
    const response = await request(url, {
      reset: true,
      signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
    });
    await response.body.dump();
    return response.statusCode === 200;
  } catch {
    return false;
  }
}
