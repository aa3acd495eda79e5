/**
 * The render cache full (ENOSPC) and read-only (EROFS) (issue #20), the short mode of the soak
 * case bench/soak/cases/cache-unwritable.ts, each on a real tmpfs in a mount namespace of
 * Quire's own: every page still answers 200, the cluster logs one warning (not one per post
 * or per worker), and a full disk is left no partly written file.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheUnwritable, cannotMount } from '../../../bench/soak/cases/cache-unwritable.ts';

const skip = cannotMount();
if (skip !== undefined && process.env.CI === 'true') throw new Error(skip);

describe('the render cache cannot be written', { skip }, () => {
  for (const [fault, errno] of [
    ['full', 'ENOSPC'],
    ['read-only', 'EROFS'],
  ] as const) {
    it(`${fault} (${errno}): every page serves, one warning, nothing left behind`, async (t) => {
      const figures = await cacheUnwritable({ short: true, fault });
      t.diagnostic(JSON.stringify(figures));
      assert.ok(figures.pages > 5, 'the sitemap lists the sample blog');
      assert.equal(figures.errno, errno, 'the filesystem really failed the write');
      assert.deepEqual(figures.problems, [], 'the targets of the case');
    });
  }
});
