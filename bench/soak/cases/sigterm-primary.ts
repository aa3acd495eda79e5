/**
 * Fault case (issue #20): SIGTERM to the cluster primary under load, the runs of
 * test/system/shutdown/sigterm-under-load.test.ts (issue #16), which the case repeats: a plain
 * client opens a new connection per request (8 at once) to a WORKERS=2 cluster that gets SIGTERM
 * after a second. Target: every run exits 0, no accepted connection is closed unanswered or cut
 * short, and every request the app logged as answered reached the client. Resets are counted,
 * not held against it: connections the kernel completed after the last accept, which no process
 * saw (README, "What a shutdown guarantees").
 */
import { addOutcomes, noOutcomes } from '../../../test/helpers/connection-per-request.ts';
import { freePort } from '../../../test/helpers/server-process.ts';
import {
  allListening,
  answeredByApp,
  PAGE,
  underLoad,
} from '../../../test/system/shutdown/under-load.ts';
import { judged } from '../faults/figures.ts';
import { inScope } from '../faults/scope.ts';

export async function sigtermPrimaryUnderLoad({ short }: { short: boolean }) {
  const runs = short ? 3 : 20;
  const total = noOutcomes();
  const exitCodes: (number | string)[] = [];
  let unreported = 0;
  const port = await freePort();
  for (let run = 0; run < runs; run++) {
    await inScope(async (scope) => {
      const server = scope.server({
        WORKERS: '2',
        NODE_ENV: 'production',
        PORT: String(port),
        POSTS_DIR: 'posts',
        CACHE_DIR: await scope.tempDir(),
      });
      await allListening(server, 2);
      const { outcomes, exitCode } = await underLoad(server, {
        host: '127.0.0.1',
        port,
        path: PAGE,
        writeDelayMs: run % 2 === 0 ? 0 : 2,
      });
      addOutcomes(total, outcomes);
      exitCodes.push(exitCode);
      unreported += Math.abs(answeredByApp(server) - (outcomes.statuses[200] ?? 0));
    });
  }
  const answered = Object.values(total.statuses).reduce((sum, n) => sum + n, 0);
  const lost = total.closedWithoutResponse + total.truncated + total.other.length;
  const figures = {
    sent: total.sent,
    answered,
    // Refusals are not failures: nothing listened any more, the run's end.
    failed: total.sent - (total.statuses[200] ?? 0) - total.refused,
    lost,
    fiveXX: Object.entries(total.statuses)
      .filter(([status]) => Number(status) >= 500)
      .reduce((sum, [, n]) => sum + n, 0),
    runs,
    refused: total.refused,
    reset: total.reset,
    exitCodes,
    /** Requests the app logged as answered that the client did not get, or the other way. */
    unreported,
  };
  return judged(figures, [
    [exitCodes.every((code) => code === 0), `exit codes ${exitCodes.join(', ')}`],
    [lost === 0, `${lost} accepted requests lost`],
    [unreported === 0, `${unreported} answers the app logged never reached the client`],
    [figures.fiveXX === 0, `${figures.fiveXX} answers were 5xx`],
  ]);
}
