/**
 * `kill -9` of a cluster worker under load (issue #20), the short mode of the soak case
 * bench/soak/cases/kill-worker.ts: the only failed requests are those open while the worker died
 * (what it held), and a new worker listens within 2 s.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { killWorkerUnderLoad } from '../../../bench/soak/cases/kill-worker.ts';

it('kill -9 of a worker under load: failures only among the requests it held, replaced within 2 s', async (t) => {
  const figures = await killWorkerUnderLoad({ short: true });
  t.diagnostic(JSON.stringify(figures));
  assert.ok(figures.answered > 100, `a real load (${figures.answered} answered)`);
  assert.deepEqual(figures.problems, [], 'the targets of the case');
});
