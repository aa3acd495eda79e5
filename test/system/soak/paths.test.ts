/**
 * Paths, short (bench/soak/cases/paths.ts; issue #20): a sample of the traversal and encoding
 * matrix (and every 64 KB path) against every route family and /assets/, directly and through
 * nginx: no answer holds a file from outside the roots, none is a 5xx, every error answer is the
 * themed page or JSON (nginx's own 400, 404 and 414 included).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { paths } from '../../../bench/soak/cases/paths.ts';
import { assertWithinTarget, runShort, soakStack } from './short-case.ts';

describe('soak: paths (short)', () => {
  const stack = soakStack();

  it('serves nothing from outside the roots, never a 5xx, every error themed', async () => {
    const figures = await runShort(paths, stack());
    assertWithinTarget(figures, ['direct', 'nginx']);
    for (const figure of Object.values(figures)) {
      assert.equal(figure.leaks, 0);
      assert.equal(figure.unthemed, 0);
      assert.equal(figure.fiveXX, 0);
      // The sample reached both 4xx answers and the app's pages.
      const statuses = figure.statuses as Record<string, number>;
      assert.ok((statuses[404] ?? 0) > 0 && (statuses[400] ?? 0) > 0, JSON.stringify(statuses));
    }
  });
});
