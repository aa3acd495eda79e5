/**
 * What every process of a running Quire loads (issue #17: memory of a cluster). Node's bundled
 * undici (fetch, WebSocket) is megabytes of heap that no Quire process uses; an ES module import
 * of node:http alone loads it (src/node-http.ts), so this asserts on the modules the processes'
 * entry points load, dependencies included, in a fresh Node.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the modules a Quire process loads', () => {
  it('leave out Node’s bundled undici in the single process, the cluster primary and its workers', async () => {
    const entries = ['process/single.ts', 'process/primary.ts', 'process/worker.ts', 'app.ts'];
    const script = `
      for (const entry of ${JSON.stringify(entries)}) await import('./src/' + entry);
      console.log(JSON.stringify(process.moduleLoadList.filter((name) => name.includes('undici'))));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', script],
      { cwd: ROOT },
    );
    assert.deepEqual(JSON.parse(stdout), []);
  });
});
