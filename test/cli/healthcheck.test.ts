import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tempDir, writePosts } from '../helpers/posts-dir.ts';
import { freePort, startServer } from '../helpers/server-process.ts';
import { runCli } from './run.ts';

describe('the image health check (src/cli/healthcheck.ts)', () => {
  it('exits 0 while the server on PORT is up and 1 naming the URL when nothing listens', async () => {
    const posts = await tempDir();
    await writePosts(posts, { 'one.md': {} });
    const port = await freePort();
    const server = startServer({
      PORT: String(port),
      WORKERS: '1',
      POSTS_DIR: posts,
      CACHE_DIR: await tempDir(),
    });
    await server.listening;
    const cwd = await tempDir();
    const up = await runCli('healthcheck.ts', [], { cwd, env: { PORT: String(port) } });
    assert.deepEqual(up, { code: 0, stdout: '', stderr: '' });

    server.child.kill('SIGTERM');
    await server.exited;
    const down = await runCli('healthcheck.ts', [], { cwd, env: { PORT: String(port) } });
    assert.equal(down.code, 1);
    assert.match(down.stderr, new RegExp(`^quire: http://127\\.0\\.0\\.1:${port}/healthz: `));
  });

  it('exits 2 naming PORT when it is invalid', async () => {
    const result = await runCli('healthcheck.ts', [], { cwd: await tempDir(), env: { PORT: 'x' } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /PORT/);
  });
});
