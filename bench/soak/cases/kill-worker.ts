/**
 * Fault case (issue #20): `kill -9` of a cluster worker under load (WORKERS=2). A plain client
 * opens a new connection per request (8 at once, no retry) while a worker is killed, `kills`
 * times, one at a time. Target: the only failures are requests that were open when a worker died
 * (what that worker held in flight, or had in its accept queue), none started after; and each
 * worker is replaced, listening, within 2 s.
 *
 * CRASH_LOOP_WINDOW_MS is its minimum (1 s) and the kills are 3 s apart, so every kill is a
 * lone crash, replaced after the first backoff step, as a real one-off crash would be: the
 * crash-loop policy has tests of its own (test/process/cluster.test.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { connectionPerRequest } from '../../../test/helpers/connection-per-request.ts';
import {
  isAlive,
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

export type KillWorkerFigures = FaultFigures &
  Judged & {
    kills: number;
    /**
     * Requests open from a kill until the killed worker's listening socket closed, on either
     * worker: a bound on what the killed worker held (in flight, or in its accept queue).
     */
    openAtKills: number;
    /** Failed requests that were not open at any kill: the target is 0. */
    failedOutsideKills: number;
    /** The slowest replacement: from the kill to the new worker's "listening" line. */
    slowestReplacementMs: number;
    /** How long the first workers took to start, in the same run: the machine's pace. */
    firstWorkersStartMs: number;
  };

const CLIENTS = 8;
const PAGE = '/posts/writing-a-post';

export async function killWorkerUnderLoad({
  short,
}: {
  short: boolean;
}): Promise<KillWorkerFigures> {
  const kills = short ? 1 : 10;
  return inScope(async (scope) => {
    const server = scope.server({
      WORKERS: '2',
      NODE_ENV: 'production',
      POSTS_DIR: 'posts',
      CACHE_DIR: await scope.tempDir(),
      CRASH_LOOP_WINDOW_MS: '1000',
    });
    const port = Number(new URL(await workersListening(server, 2)).port);
    const firstWorkersStartMs = workersStartMs(server);
    const requests = new RequestLog();
    const stop = new AbortController();
    const load = connectionPerRequest(
      { host: '127.0.0.1', port, path: PAGE },
      { clients: CLIENTS, signal: stop.signal, maxMs: 120_000, onRequest: requests.add },
    );
    const deaths: { killAt: number; diedAt: number }[] = [];
    let slowestReplacementMs = 0;
    try {
      await sleep(1000);
      for (let kill = 0; kill < kills; kill++) {
        const known = new Set(listeningPids(server));
        const alive = [...known].filter(isAlive);
        const victim = alive[kill % alive.length]!;
        const listening = await listenersOn(port);
        const killAt = performance.now();
        process.kill(victim, 'SIGKILL');
        deaths.push({ killAt, diedAt: await listenerGone(port, listening) });
        await newListener(server, known, 60_000);
        slowestReplacementMs = Math.max(slowestReplacementMs, performance.now() - killAt);
        await sleep(short ? 1000 : 3000);
      }
    } finally {
      stop.abort();
      await load;
    }
    const openAtKill = new Set(
      deaths.flatMap(({ killAt, diedAt }) => requests.openDuring(killAt, diedAt)),
    );
    const figures = {
      ...requests.figures(),
      kills,
      openAtKills: openAtKill.size,
      failedOutsideKills: requests.failures().filter((request) => !openAtKill.has(request)).length,
      slowestReplacementMs: Math.round(slowestReplacementMs),
      firstWorkersStartMs,
    };
    const bound = replacementBoundMs(firstWorkersStartMs);
    return judged(figures, [
      [
        figures.failedOutsideKills === 0,
        `${figures.failedOutsideKills} failed while no worker was dying`,
      ],
      [
        figures.failed <= figures.openAtKills,
        `${figures.failed} failed, more than the ${figures.openAtKills} open`,
      ],
      [figures.fiveXX === 0, `${figures.fiveXX} answers were 5xx`],
      [
        figures.slowestReplacementMs < bound,
        `a replacement took ${figures.slowestReplacementMs} ms (bound ${bound})`,
      ],
    ]);
  });
}
