import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UNMATCHED_ROUTE } from '../../src/http/request-log.ts';
import { buildTestApp } from './harness.ts';

describe('access log', () => {
  it('writes exactly one line per request, on response, with the documented fields', async (t) => {
    const { app, logs, linesFor } = buildTestApp(t);
    await app.ready();
    const before = logs.length;

    const response = await app.inject({ url: '/posts/hello-world' });
    const requestId = String(response.headers['x-request-id']);

    assert.equal(logs.length - before, 1, 'no "incoming request" line, no other line');
    const lines = linesFor(requestId);
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.ok(line);
    assert.equal(line.level, 'info');
    assert.equal(line.msg, 'request completed');
    assert.equal(line.reqId, undefined, 'no Fastify binding at the top level');
    const fields = line.quire ?? {};
    assert.deepEqual(Object.keys(fields).sort(), [
      'durationMs',
      'method',
      'remoteAddress',
      'requestId',
      'route',
      'statusCode',
    ]);
    assert.equal(fields.requestId, requestId);
    assert.equal(fields.method, 'GET');
    assert.equal(fields.route, '/posts/:slug', 'the route template, not the URL');
    assert.equal(fields.statusCode, 200);
    assert.equal(typeof fields.durationMs, 'number');
    assert.ok((fields.durationMs as number) >= 0);
    assert.equal(fields.remoteAddress, '127.0.0.1');
  });

  it('labels requests that matched no route with a fixed label', async (t) => {
    const { app, accessLines } = buildTestApp(t);
    await app.inject({ url: '/wp-admin/install.php?x=<script>' });
    await app.inject({ url: '/posts/no-such-post' });
    assert.deepEqual(
      accessLines().map((line) => [line.quire?.route, line.quire?.statusCode]),
      [
        [UNMATCHED_ROUTE, 404],
        [UNMATCHED_ROUTE, 404],
      ],
    );
  });

  it('logs requests rejected before routing (malformed URL) once too', async (t) => {
    const { app, accessLines } = buildTestApp(t);
    const response = await app.inject({ url: '/posts/%E0%A4%A' });
    assert.equal(response.statusCode, 400);
    const lines = accessLines();
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.quire?.requestId, response.headers['x-request-id']);
    assert.equal(lines[0]?.quire?.route, UNMATCHED_ROUTE);
    assert.equal(lines[0]?.quire?.statusCode, 400);
  });

  it('logs HEAD requests with their own method', async (t) => {
    const { app, accessLines } = buildTestApp(t);
    await app.inject({ method: 'HEAD', url: '/' });
    assert.equal(accessLines()[0]?.quire?.method, 'HEAD');
    assert.equal(accessLines()[0]?.quire?.route, '/');
  });

  it('uses the socket address unless a trusted proxy forwards the client address', async (t) => {
    const direct = buildTestApp(t);
    const proxied = buildTestApp(t, { trustProxy: '127.0.0.1' });
    const headers = { 'x-forwarded-for': '203.0.113.7' };
    await direct.app.inject({ url: '/', headers });
    await proxied.app.inject({ url: '/', headers });
    assert.equal(direct.accessLines()[0]?.quire?.remoteAddress, '127.0.0.1');
    assert.equal(proxied.accessLines()[0]?.quire?.remoteAddress, '203.0.113.7');
  });

  it('logs the probes at debug level only', async (t) => {
    const info = buildTestApp(t, { level: 'info' });
    const debug = buildTestApp(t, { level: 'debug' });
    for (const { app } of [info, debug]) {
      await app.inject({ url: '/healthz' });
      await app.inject({ url: '/readyz' });
    }
    assert.equal(info.accessLines().length, 0);
    assert.deepEqual(
      debug.accessLines().map((line) => [line.level, line.quire?.route]),
      [
        ['debug', '/healthz'],
        ['debug', '/readyz'],
      ],
    );
  });
});
