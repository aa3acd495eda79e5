/**
 * A cluster worker whose event loop is blocked (issue #20): unlike the stopped worker of
 * hung-worker.test.ts, this one runs, at full CPU, and answers nothing. The primary's watchdog
 * kills it after WORKER_HANG_MS with one warning naming it, and a new worker takes its place.
 * (While it is blocked, the kernel still hands it some new connections: what a client sees then
 * is hung-worker.test.ts's subject.)
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { request } from 'undici';
import {
  isAlive,
  linesWith,
  listeningPids,
  newListener,
  workersListening,
} from '../../../bench/soak/faults/cluster.ts';
import { inScope } from '../../../bench/soak/faults/scope.ts';

const HANG_MS = 2000;

it('a worker blocked in a request is killed after WORKER_HANG_MS and replaced', async () => {
  await inScope(async (scope) => {
    const server = scope.server({
      WORKERS: '2',
      NODE_ENV: 'production',
      TEST_ROUTES: 'true',
      POSTS_DIR: 'posts',
      CACHE_DIR: await scope.tempDir(),
      WORKER_HANG_MS: String(HANG_MS),
    });
    const base = await workersListening(server, 2);
    const first = new Set(listeningPids(server));
    // Longer than the test: only the watchdog can end it. Its own connection, never answered.
    const blocked = request(new URL('/__test/block?ms=100000', base), { reset: true }).then(
      (response) => response.statusCode,
      () => 'no answer' as const,
    );
    const replacement = await newListener(server, first, HANG_MS * 5);
    const healthz: number[] = [];
    for (let i = 0; i < 20; i++) {
      const response = await request(new URL('/healthz', base), { reset: true });
      await response.body.dump();
      healthz.push(response.statusCode);
    }
    assert.equal(await blocked, 'no answer', 'the blocked request died with its worker');
    const warnings = linesWith(server, 'ms (WORKER_HANG_MS');
    assert.equal(warnings.length, 1, 'one warning');
    const killed = warnings[0]?.quire?.workerPid as number;
    assert.ok(first.has(killed), `the warning names a first worker (${killed})`);
    assert.ok(!first.has(replacement) && !isAlive(killed), 'the blocked worker is gone');
    assert.ok(
      (warnings[0]?.quire?.silentMs as number) >= HANG_MS,
      'killed only after WORKER_HANG_MS of silence',
    );
    assert.deepEqual(new Set(healthz), new Set([200]), 'the cluster answers again');
  });
});
