/**
 * Requests with ambiguous framing, over a real socket (issue #20; found by the floods case of
 * `npm run soak`, bench/soak/cases/floods.ts, kept here as regression tests).
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { describe, it, type TestContext } from 'node:test';
import { RawConnection, type RawResponse, rawRequest } from '../helpers/raw-http.ts';
import { buildTestApp } from './harness.ts';

async function listening(t: TestContext): Promise<RawConnection> {
  const { app } = buildTestApp(t);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = new URL(address);
  const socket = connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  const connection = new RawConnection(socket);
  t.after(() => connection.close());
  return connection;
}

async function answer(connection: RawConnection): Promise<RawResponse> {
  const read = await connection.read();
  if (typeof read === 'string') assert.fail(`no answer: ${read}`);
  return read;
}

describe('request framing', () => {
  it('answers 400 with the error page to a request with two Host lines', async (t) => {
    const connection = await listening(t);
    connection.send(rawRequest('GET / HTTP/1.1', ['Host: blog.example', 'Host: evil.example']));
    const response = await answer(connection);
    assert.equal(response.status, 400);
    assert.match(response.body, /one Host header/);
    assert.match(response.headers['content-type'] ?? '', /text\/html/);
  });

  it('still serves a request with one Host line on the same kind of socket', async (t) => {
    const connection = await listening(t);
    connection.send(rawRequest('GET / HTTP/1.1', ['Host: blog.example']));
    assert.equal((await answer(connection)).status, 200);
  });

  it('answers an HTTP/1.0 request and closes, writing nothing for bytes pipelined after it', async (t) => {
    const connection = await listening(t);
    connection.send(
      rawRequest('GET / HTTP/1.0', []) + rawRequest('GET / HTTP/1.1', ['Host: blog.example']),
    );
    assert.equal((await answer(connection)).status, 200);
    // Not a 400 for a request nobody processed: the connection just ends.
    assert.equal(await connection.read(), 'closed');
  });
});
