import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSaneRequestId } from '../../src/http/request-id.ts';
import { buildTestApp } from './harness.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('isSaneRequestId', () => {
  it('accepts 1 to 64 characters of [A-Za-z0-9._-]', () => {
    for (const id of [
      'a',
      'abc-123',
      'A.b_c-D',
      '0'.repeat(64),
      'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
    ]) {
      assert.equal(isSaneRequestId(id), true, id);
    }
  });

  it('rejects anything else', () => {
    for (const id of [
      '',
      '0'.repeat(65),
      'has space',
      '<script>alert(1)</script>',
      'line\nbreak',
      'tab\t',
      'résumé',
      '🙂',
      'a,b',
      'a, b',
      '../etc/passwd',
      undefined,
      ['abc', 'def'],
    ]) {
      assert.equal(isSaneRequestId(id), false, JSON.stringify(id));
    }
  });
});

describe('X-Request-Id', () => {
  it('passes a sane incoming id through to the response, request.id and the log', async (t) => {
    const { app, accessLines } = buildTestApp(t);
    const response = await app.inject({ url: '/', headers: { 'x-request-id': 'nginx-req.42_A' } });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-request-id'], 'nginx-req.42_A');
    assert.equal(accessLines()[0]?.quire?.requestId, 'nginx-req.42_A');
  });

  it('generates a UUID when there is none', async (t) => {
    const { app } = buildTestApp(t);
    const first = await app.inject({ url: '/' });
    const second = await app.inject({ url: '/' });
    assert.match(String(first.headers['x-request-id']), UUID);
    assert.notEqual(first.headers['x-request-id'], second.headers['x-request-id']);
  });

  const hostile: [string, string][] = [
    ['a space', 'abc def'],
    ['markup', '<script>alert(1)</script>'],
    ['non-ASCII', 'r\u00e9sum\u00e9'],
    ['a comma list (a repeated header)', 'one, two'],
    ['1 KB', 'a'.repeat(1024)],
    ['65 characters', 'b'.repeat(65)],
    ['empty', ''],
  ];
  for (const [what, value] of hostile) {
    it(`replaces an incoming id with ${what}`, async (t) => {
      const { app, accessLines } = buildTestApp(t);
      const response = await app.inject({ url: '/', headers: { 'x-request-id': value } });
      const id = String(response.headers['x-request-id']);
      assert.match(id, UUID);
      assert.equal(accessLines()[0]?.quire?.requestId, id);
    });
  }

  it('is on error responses too, equal to the id in the body', async (t) => {
    const { app } = buildTestApp(t);
    const response = await app.inject({
      url: '/no/such/page',
      headers: { 'x-request-id': 'trace-404', accept: 'application/json' },
    });
    assert.equal(response.statusCode, 404);
    assert.equal(response.headers['x-request-id'], 'trace-404');
    assert.equal(response.json().requestId, 'trace-404');
  });
});

describe('request.log', () => {
  it('puts the request id under quire on every kind of call, on children too, and keeps route levels', async (t) => {
    const { app, linesFor } = buildTestApp(t);
    app.get('/chatty', (request, reply) => {
      request.log.info('plain message');
      request.log.warn({ detail: 1 }, 'with fields');
      request.log.error(new Error('an error object'));
      request.log.child({}).info({ from: 'child' }, 'from a child');
      reply.log.info('through the reply');
      return reply.send({ level: request.log.level });
    });
    app.get('/quiet', { logLevel: 'warn' }, (request, reply) => {
      request.log.info('below the route level');
      request.log.warn('at the route level');
      return reply.send({ level: request.log.level });
    });

    const chatty = await app.inject({ url: '/chatty', headers: { 'x-request-id': 'chatty-1' } });
    assert.equal(chatty.json().level, 'info');
    const lines = linesFor('chatty-1');
    assert.deepEqual(
      lines.map((line) => [line.level, line.msg]),
      [
        ['info', 'plain message'],
        ['warn', 'with fields'],
        ['error', 'an error object'],
        ['info', 'from a child'],
        ['info', 'through the reply'],
        ['info', 'request completed'],
      ],
    );
    assert.equal(lines[1]?.quire?.detail, 1);
    assert.equal((lines[2]?.quire?.err as { message?: string }).message, 'an error object');
    assert.equal(lines[3]?.quire?.from, 'child');
    for (const line of lines) {
      assert.equal(Object.keys(line.quire ?? {})[0], 'requestId', 'the id comes first');
      assert.equal(line.reqId, undefined, 'nothing of ours outside quire');
    }

    const quiet = await app.inject({ url: '/quiet', headers: { 'x-request-id': 'quiet-1' } });
    assert.equal(quiet.json().level, 'warn');
    assert.deepEqual(
      linesFor('quiet-1').map((line) => line.msg),
      ['at the route level', 'request completed'],
    );
  });
});
