/**
 * A cluster worker that hangs under load (issue #20), the short mode of the soak case
 * bench/soak/cases/hung-worker.ts: the worker is stopped (SIGSTOP); new connections the kernel
 * hands it get no answer (its liveness fails); the primary's watchdog kills it once it has been
 * silent for WORKER_HANG_MS, with one warning, and replaces it; the other worker answers
 * throughout, and only requests open on the stopped worker fail.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { hungWorkerUnderLoad } from '../../../bench/soak/cases/hung-worker.ts';

/** As in kill-worker.test.ts (scaled the same way), on top of the watchdog's wait. */
const REPLACED_WITHIN_MS = 2000;

it('a stopped worker: liveness fails, the watchdog replaces it, the other worker keeps answering', async (t) => {
  const figures = await hungWorkerUnderLoad({ short: true });
  t.diagnostic(JSON.stringify(figures));
  assert.ok(figures.probesTimedOut > 0, 'probes the stopped worker got were not answered');
  assert.ok(figures.probesTimedOut < figures.probes, 'the other worker answered its probes');
  assert.equal(figures.warnings, 1, 'one warning for the one hang');
  assert.ok(figures.longestSilenceMs >= figures.workerHangMs, 'silent at least WORKER_HANG_MS');
  const bound =
    figures.workerHangMs + Math.max(REPLACED_WITHIN_MS, 2 * figures.firstWorkersStartMs);
  assert.ok(figures.slowestReplacementMs < bound, `replaced within ${bound} ms`);
  assert.ok(figures.answeredDuringHangs > 0, 'requests answered while the worker hung');
  assert.equal(figures.failedOutsideHangs, 0, 'no request failed but those open on it');
  assert.equal(figures.fiveXX, 0);
});
