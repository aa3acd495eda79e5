/**
 * Slow clients, short (bench/soak/cases/slow-clients.ts; issue #20): slowloris connections and
 * readers that never read the large page, directly and through nginx, while ordinary readers
 * keep being served, none failing, their p99 within 2 × the quiet p99 measured just before.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slowClients } from '../../../bench/soak/cases/slow-clients.ts';
import { assertWithinTarget, runShortWithinTarget, soakStack } from './short-case.ts';

describe('soak: slow clients (short)', () => {
  const stack = soakStack();

  it('keeps serving ordinary readers beside slowloris and never-reading clients', async () => {
    const figures = await runShortWithinTarget(slowClients, stack(), {
      latencyOnlyProblem: (problem) =>
        problem.startsWith('ordinary p99') && problem.endsWith(', 0 failed'),
    });
    assertWithinTarget(figures, ['direct', 'nginx']);
    for (const figure of Object.values(figures)) {
      assert.equal(figure.lost, 0);
      assert.equal(figure.fiveXX, 0);
      assert.ok((figure.slowloris as { connections: number }).connections > 0);
    }
  });
});
