/**
 * `kill -9` of a cluster worker under load (issue #20), the short mode of the soak case
 * bench/soak/cases/kill-worker.ts: the only failed requests are those open while the worker died
 * (what it held), and a new worker listens within 2 s.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { killWorkerUnderLoad } from '../../../bench/soak/cases/kill-worker.ts';

/**
 * The issue's target, on a machine where a worker starts in well under that. On a slower or
 * busier one the bound is twice the first workers' start in the same run: still fails a
 * replacement held back (by a backoff, a busy primary), not one the machine was slow to start.
 */
const REPLACED_WITHIN_MS = 2000;

it('kill -9 of a worker under load: failures only among the requests it held, replaced within 2 s', async (t) => {
  const figures = await killWorkerUnderLoad({ short: true });
  t.diagnostic(JSON.stringify(figures));
  assert.ok(figures.answered > 100, `a real load (${figures.answered} answered)`);
  assert.equal(figures.failedOutsideKills, 0, 'no request failed but those open as it died');
  assert.ok(figures.failed <= figures.openAtKills, 'failures at most the requests open then');
  assert.equal(figures.fiveXX, 0);
  const bound = Math.max(REPLACED_WITHIN_MS, 2 * figures.firstWorkersStartMs);
  assert.ok(figures.slowestReplacementMs < bound, `replaced within ${bound} ms`);
});
