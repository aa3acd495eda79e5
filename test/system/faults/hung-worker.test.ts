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

it('a stopped worker: liveness fails, the watchdog replaces it, the other worker keeps answering', async (t) => {
  const figures = await hungWorkerUnderLoad({ short: true });
  t.diagnostic(JSON.stringify(figures));
  assert.ok(figures.answered > 100, `a real load (${figures.answered} answered)`);
  assert.deepEqual(figures.problems, [], 'the targets of the case');
});
