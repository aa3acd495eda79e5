/**
 * Floods and smuggling, short (bench/soak/cases/floods.ts; issue #20): every hostile request
 * answered with its right status (never a 5xx but nginx's RFC 9112 501 for an unknown transfer
 * coding), never a desync on the same socket, the pipelined requests all answered in order,
 * directly and through nginx.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { floods } from '../../../bench/soak/cases/floods.ts';
import { assertWithinTarget, runShortWithinTarget, soakStack } from './short-case.ts';

describe('soak: floods and smuggling (short)', () => {
  const stack = soakStack();

  it('answers every hostile request rightly, with no desync and nothing lost', async () => {
    const figures = await runShortWithinTarget(floods, stack(), {
      latencyOnlyProblem: (problem) => problem.startsWith('ordinary p99'),
    });
    assertWithinTarget(figures, ['direct', 'nginx']);
    for (const figure of Object.values(figures)) {
      assert.equal(figure.lost, 0);
      assert.equal(figure.fiveXX, figure.rfc501);
      const statuses = figure.statuses as Record<string, number>;
      // RFC 9112 §3.2: two Host lines are a 400, on both paths (the app's own check, issue #20).
      assert.equal(statuses['duplicate-host'], 400);
      assert.equal(statuses['cl-te'], 400);
    }
  });
});
