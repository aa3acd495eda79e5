/**
 * The search floor of `npm run bench` (bench/search-alone.ts, issue #19): its figures are the
 * floor of Quire's search only if minisearch alone searches the same documents with the same
 * options, so the same queries find the same posts; it runs here on a small real site, as the
 * bench runs it (a child process, the render cache read as the server left it).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { loadTestSite, tempDir, writePosts } from '../helpers/posts-dir.ts';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;

describe('the search floor', () => {
  it('finds what Quire finds for every query, and times both per query', async () => {
    const postsDir = await tempDir();
    const cacheDir = await tempDir();
    await writePosts(postsDir, {
      'probes.md': {
        title: 'Readiness probes',
        date: '2026-04-01',
        body: 'A probe asks the pod whether it is ready.\n',
      },
      'shutdown.md': {
        title: 'Graceful shutdown',
        date: '2026-03-01',
        body: 'A process drains its connections, then the probe fails.\n',
      },
      'themes.md': { title: 'Dark mode', date: '2026-02-01', body: 'Colours for the night.\n' },
      'draft.md': { title: 'Probing', date: '2026-01-01', extra: 'draft: true', body: 'Probe.\n' },
    });
    await loadTestSite({ postsDir, cacheDir });
    const queriesFile = join(await tempDir(), 'queries.json');
    // Found by two posts (a title and a body), by one (prefix), by none.
    await writeFile(queriesFile, JSON.stringify(['probe', 'drain', 'zeppelin']));

    const { stdout } = await run(
      process.execPath,
      [
        'bench/search-alone.ts',
        ...['--posts-dir', postsDir, '--cache-dir', cacheDir, '--queries-file', queriesFile],
      ],
      { cwd: ROOT, timeout: 120_000 },
    );
    const floor = JSON.parse(stdout) as Record<string, unknown>;

    assert.equal(floor.posts, 3, 'the draft is left out, as Quire leaves it out');
    assert.equal(floor.queries, 3);
    assert.equal(floor.medianMatches, 1);
    assert.equal(floor.sameMatches, true);
    for (const side of ['minisearchAlone', 'quireQueryStep']) {
      const cpu = floor[side] as Record<string, number>;
      assert.ok(cpu.p95CpuMs !== undefined && cpu.p95CpuMs >= (cpu.p50CpuMs ?? Infinity), side);
    }
  });
});
