/**
 * What happens to each kind of connection when the listener closes (issue #16), one case at a
 * time, with real processes and raw sockets:
 * - one accepted before the close whose request comes after it is answered, not closed
 *   (Node's `server.close()` counts it as idle and destroys it);
 * - one that never sends anything does not hold the shutdown to its timeout;
 * - cluster workers share one port: a second Quire on it stops at once, naming it, and
 *   `PORT=0` gives every worker the same port.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { tempDir } from '../helpers/posts-dir.ts';
import {
  exitWithin,
  freePort,
  type ServerProcess,
  startServer,
} from '../helpers/server-process.ts';

async function start(workers: number, env: Record<string, string> = {}) {
  const port = await freePort();
  const server = startServer({
    WORKERS: String(workers),
    POSTS_DIR: 'posts',
    CACHE_DIR: await tempDir(),
    PORT: String(port),
    SHUTDOWN_DELAY_MS: '0',
    SHUTDOWN_TIMEOUT_MS: '8000',
    ...env,
  });
  await server.listening;
  const until = Date.now() + 20_000;
  while (listeningLines(server).length < workers && Date.now() < until) await sleep(25);
  return { server, port };
}

const listeningLines = (server: ServerProcess) =>
  server.logLines().filter((line) => line.msg?.startsWith('Server listening'));

async function open(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

/** Whether a new connection to the port is refused (nothing listens any more). */
async function refused(port: number): Promise<boolean> {
  const socket = connect(port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    socket.destroy();
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  }
}

/** Everything the server sends until it closes the connection. */
async function readAll(socket: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await once(socket, 'close');
  return Buffer.concat(chunks).toString('utf8');
}

describe('connections when the listener closes', () => {
  for (const workers of [1, 2]) {
    it(`WORKERS=${workers}: a connection accepted before the close, its request sent after, is answered`, async () => {
      const { server, port } = await start(workers);
      const sockets = await Promise.all(Array.from({ length: 4 }, () => open(port)));
      await sleep(200); // accepted by the server by now, no byte sent
      server.child.kill('SIGTERM');
      const until = Date.now() + 5000;
      while (!(await refused(port)) && Date.now() < until) await sleep(20);
      assert.ok(await refused(port), 'the listener closed');

      const answers = sockets.map(readAll);
      for (const socket of sockets)
        socket.write('GET /posts/writing-a-post HTTP/1.1\r\nHost: localhost\r\n\r\n');
      for (const answer of await Promise.all(answers)) {
        assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
        assert.match(answer, /\r\nconnection: close\r\n/i);
        assert.match(answer, /<\/html>\s*$/, 'the whole page');
      }
      assert.equal(await exitWithin(server, 8000), 0);
    });
  }

  it('a connection that sends nothing, and an idle keep-alive one, do not hold the shutdown', async () => {
    const { server, port } = await start(1);
    const silent = await open(port);
    const keptAlive = await open(port);
    keptAlive.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await once(keptAlive, 'data');
    const signalled = Date.now();
    server.child.kill('SIGTERM');
    assert.equal(await exitWithin(server, 8000), 0, 'exit 0, before SHUTDOWN_TIMEOUT_MS');
    assert.ok(
      server.logLines().some((line) => line.msg === 'shutdown complete'),
      `drained in ${Date.now() - signalled} ms`,
    );
    silent.destroy();
    keptAlive.destroy();
  });
});

describe('cluster workers on one port', () => {
  it('a second Quire on the same port stops at once naming it; the first serves on', async () => {
    const { server, port } = await start(2);
    const second = startServer({
      WORKERS: '2',
      POSTS_DIR: 'posts',
      CACHE_DIR: await tempDir(),
      PORT: String(port),
    });
    assert.equal(await exitWithin(second, 10_000), 1);
    const fatal = await second.waitForLine((line) => line.level === 'fatal');
    assert.equal(
      fatal.msg,
      `PORT ${port} is in use on 127.0.0.1 (another Quire?): set PORT to a free port`,
    );
    assert.equal(
      second.logLines().filter((line) => line.msg === 'cluster started').length,
      0,
      'no worker forked',
    );
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(response.status, 200);
    }
    server.child.kill('SIGTERM');
    assert.equal(await exitWithin(server, 10_000), 0);
  });

  it('PORT=0: every worker listens on the one port its primary chose', async () => {
    const server = startServer({ WORKERS: '2', POSTS_DIR: 'posts', CACHE_DIR: await tempDir() });
    await server.listening;
    const until = Date.now() + 20_000;
    while (listeningLines(server).length < 2 && Date.now() < until) await sleep(25);
    const urls = new Set(listeningLines(server).map((line) => String(line.msg)));
    assert.equal(listeningLines(server).length, 2);
    assert.equal(urls.size, 1, [...urls].join(', '));
    server.child.kill('SIGTERM');
    assert.equal(await exitWithin(server, 10_000), 0);
  });
});
