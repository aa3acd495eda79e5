import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { tempDir } from '../helpers/posts-dir.ts';
import { exitWithin, freePort, startServer } from '../helpers/server-process.ts';

async function startSingle(env: Record<string, string>) {
  const port = await freePort();
  const server = startServer({
    WORKERS: '1',
    TEST_ROUTES: 'true',
    METRICS_PORT: '0',
    POSTS_DIR: 'posts',
    CACHE_DIR: await tempDir(),
    PORT: String(port),
    ...env,
  });
  const base = await server.listening;
  return { server, base, port };
}

/** One request per connection, so each is independently "in flight". */
const slow = (base: string, ms: number) =>
  request(`${base}/__test/slow?ms=${ms}`, { dispatcher: new Agent({ pipelining: 0 }) }).then(
    async (response) => {
      await response.body.dump();
      return response.statusCode;
    },
  );

const connectError = (base: string) =>
  request(`${base}/readyz`, { dispatcher: new Agent() }).then(
    (response) => `status ${response.statusCode}`,
    (error: { code?: string }) => error.code,
  );

describe('graceful shutdown of a single process', () => {
  it('finishes 50 requests in flight, fails readiness at once, refuses after the delay, exits 0 in time', async () => {
    const { server, base } = await startSingle({
      SHUTDOWN_DELAY_MS: '1000',
      SHUTDOWN_TIMEOUT_MS: '8000',
    });
    const inFlight = Array.from({ length: 50 }, () => slow(base, 2500));
    await sleep(400); // all 50 are now sleeping in the handler

    const signalled = Date.now();
    server.child.kill('SIGTERM');
    await sleep(100);
    const readiness = await request(`${base}/readyz`);
    assert.equal(readiness.statusCode, 503, 'readiness fails at once');
    assert.deepEqual(await readiness.body.json(), { status: 'draining' });
    assert.equal((await request(`${base}/healthz`)).statusCode, 200, 'still alive while draining');

    await sleep(1000 - (Date.now() - signalled) + 300);
    assert.equal(await connectError(base), 'ECONNREFUSED', 'no new connections after the delay');

    assert.deepEqual(await Promise.all(inFlight), Array(50).fill(200));
    assert.equal(await exitWithin(server, 8000), 0);
    assert.ok(Date.now() - signalled < 1000 + 8000, 'within delay + timeout');
    assert.ok(server.logLines().some((line) => line.msg === 'shutdown complete'));
  });

  it('exits 1 and says so when requests are still running at SHUTDOWN_TIMEOUT_MS', async () => {
    const { server, base } = await startSingle({ SHUTDOWN_TIMEOUT_MS: '500' });
    const stuck = slow(base, 5000).catch((error: Error) => error.message);
    await sleep(200);
    server.child.kill('SIGTERM');
    assert.equal(await exitWithin(server, 3000), 1);
    const line = await server.waitForLine((l) => l.level === 'error');
    assert.match(String(line.msg), /requests still in flight after SHUTDOWN_TIMEOUT_MS \(500 ms\)/);
    await stuck;
  });

  it('exits at once on a second signal', async () => {
    const { server, base } = await startSingle({ SHUTDOWN_TIMEOUT_MS: '20000' });
    const stuck = slow(base, 10_000).catch(() => 'dropped');
    await sleep(200);
    server.child.kill('SIGTERM');
    await server.waitForLine((l) => l.msg === 'shutting down');
    const second = Date.now();
    server.child.kill('SIGTERM');
    assert.equal(await exitWithin(server, 2000), 1);
    assert.ok(Date.now() - second < 2000);
    assert.ok(server.logLines().some((l) => l.msg === 'second SIGTERM: exiting now'));
    await stuck;
  });

  it('dies loudly on an uncaught error: one fatal JSON line with the stack, exit 1', async () => {
    const { server, base } = await startSingle({});
    await (await request(`${base}/__test/crash`)).body.dump();
    assert.equal(await exitWithin(server, 5000), 1);
    const fatal = server.logLines().filter((l) => l.level === 'fatal');
    assert.equal(fatal.length, 1);
    assert.equal(fatal[0]?.msg, 'uncaught exception: test crash requested');
    const err = fatal[0]?.quire?.err as { type: string; stack: string };
    assert.equal(err.type, 'Error');
    assert.match(err.stack, /test-routes\.ts/);
  });
});
