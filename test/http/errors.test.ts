import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { prefersJson } from '../../src/http/errors.ts';
import { buildTestApp, type TestApp } from './harness.ts';

const JSON_ACCEPT = { accept: 'application/json' };
const SECRET = 'db password is hunter2 at /srv/quire/secret.ts';

/** An app with extra routes that fail; registered before `ready()`, as plugins are. */
function appWithFailingRoutes(t: TestContext): TestApp {
  const test = buildTestApp(t);
  test.app.get('/boom', async () => {
    throw new Error(SECRET);
  });
  test.app.get('/boom-sync', () => {
    throw new TypeError(SECRET);
  });
  test.app.get('/teapot', async () => {
    throw Object.assign(new Error("I'm a teapot, not a coffee pot"), { statusCode: 418 });
  });
  test.app.post(
    '/echo',
    {
      schema: {
        body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
      },
    },
    async (request) => request.body,
  );
  return test;
}

function assertNoLeak(body: string) {
  assert.equal(body.includes('hunter2'), false, 'no internal message');
  assert.doesNotMatch(body, /\bat .*\.(ts|js):\d+/, 'no stack frame');
  assert.doesNotMatch(body, /TypeError|Error: /, 'no error type');
}

describe('404', () => {
  it('is an HTML page with the status, a message and the request id', async (t) => {
    const { app } = buildTestApp(t);
    const response = await app.inject({
      url: '/no/such/page',
      headers: { 'x-request-id': 'req-404' },
    });
    assert.equal(response.statusCode, 404);
    assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers.vary, 'Accept');
    assert.match(response.body, /<h1 id="error-title">404 · Not Found<\/h1>/);
    assert.match(response.body, /There is no page at this address\./);
    assert.match(response.body, /Request ID: <code>req-404<\/code>/);
    assert.match(response.body, /<meta name="robots" content="noindex">/);
    assert.match(response.body, /<a class="site-title" href="\/">Test Blog<\/a>/, 'site chrome');
  });

  it('is JSON when the client prefers JSON', async (t) => {
    const { app } = buildTestApp(t);
    const response = await app.inject({ url: '/no/such/page', headers: JSON_ACCEPT });
    assert.equal(response.statusCode, 404);
    assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
    assert.deepEqual(response.json(), {
      statusCode: 404,
      error: 'Not Found',
      message: 'There is no page at this address.',
      requestId: response.headers['x-request-id'],
    });
  });

  it('covers every method, and logs only the access line', async (t) => {
    const { app, linesFor } = buildTestApp(t);
    const response = await app.inject({
      method: 'DELETE',
      url: '/no/such/page',
      headers: JSON_ACCEPT,
    });
    assert.equal(response.statusCode, 404);
    const lines = linesFor(String(response.headers['x-request-id']));
    assert.deepEqual(
      lines.map((line) => line.msg),
      ['request completed'],
    );
  });
});

describe('500', () => {
  for (const url of ['/boom', '/boom-sync']) {
    it(`${url}: the HTML page is generic, with the request id of the header`, async (t) => {
      const { app } = appWithFailingRoutes(t);
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 500);
      assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
      const requestId = String(response.headers['x-request-id']);
      assert.ok(requestId);
      assert.match(response.body, /500 · Internal Server Error/);
      assert.match(response.body, /Something went wrong on our side/);
      assert.ok(response.body.includes(`<code>${requestId}</code>`));
      assertNoLeak(response.body);
    });

    it(`${url}: the JSON body is generic, with the request id of the header`, async (t) => {
      const { app } = appWithFailingRoutes(t);
      const response = await app.inject({ url, headers: JSON_ACCEPT });
      assert.equal(response.statusCode, 500);
      assert.deepEqual(response.json(), {
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'Internal Server Error',
        requestId: response.headers['x-request-id'],
      });
      assertNoLeak(response.body);
    });
  }

  it('is logged once, at error level, with the request id and the stack', async (t) => {
    const { app, linesFor, logs } = appWithFailingRoutes(t);
    const response = await app.inject({ url: '/boom', headers: { 'x-request-id': 'req-500' } });
    assert.equal(response.headers['x-request-id'], 'req-500');
    const lines = linesFor('req-500');
    assert.deepEqual(
      lines.map((line) => [line.level, line.msg]),
      [
        ['error', SECRET],
        ['info', 'request completed'],
      ],
    );
    const err = lines[0]?.quire?.err as Record<string, unknown>;
    assert.equal(err.type, 'Error');
    assert.equal(err.message, SECRET);
    assert.match(String(err.stack), /errors\.test\.ts/);
    assert.equal(lines[0]?.quire?.statusCode, 500);
    assert.equal(lines[1]?.quire?.statusCode, 500);
    assert.equal(logs.filter((line) => line.level === 'error').length, 1, 'nothing else at error');
  });

  it('falls back to a built-in page if the error template itself fails', async (t) => {
    const { app, linesFor } = appWithFailingRoutes(t);
    await app.ready();
    app.view = async () => {
      throw new Error('template exploded');
    };
    const response = await app.inject({
      url: '/boom',
      headers: { 'x-request-id': 'req-fallback' },
    });
    assert.equal(response.statusCode, 500);
    assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(response.body, /<h1>500 Internal Server Error<\/h1>/);
    assert.match(response.body, /<code>req-fallback<\/code>/);
    assert.doesNotMatch(response.body, /exploded/);
    assertNoLeak(response.body);
    const messages = linesFor('req-fallback').map((line) => line.msg);
    assert.deepEqual(messages, [SECRET, 'error page failed to render', 'request completed']);
  });
});

describe('4xx', () => {
  it("keeps the message of an error's own 4xx status", async (t) => {
    const { app } = appWithFailingRoutes(t);
    const json = await app.inject({ url: '/teapot', headers: JSON_ACCEPT });
    assert.equal(json.statusCode, 418);
    assert.equal(json.json().message, "I'm a teapot, not a coffee pot");
    const html = await app.inject({ url: '/teapot' });
    assert.match(html.body, /I&#39;m a teapot, not a coffee pot/);
  });

  it("keeps Fastify's safe message for a bad content type and a failed validation", async (t) => {
    const { app } = appWithFailingRoutes(t);
    const mediaType = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { ...JSON_ACCEPT, 'content-type': 'application/xml' },
      payload: '<name/>',
    });
    assert.equal(mediaType.statusCode, 415);
    assert.equal(mediaType.json().error, 'Unsupported Media Type');
    assert.equal(mediaType.json().requestId, mediaType.headers['x-request-id']);

    const invalid = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: JSON_ACCEPT,
      payload: { nope: 1 },
    });
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.json().message, "body must have required property 'name'");
  });

  it('is logged once at info, with the request id and no stack', async (t) => {
    const { app, linesFor } = appWithFailingRoutes(t);
    await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'x-request-id': 'req-400', 'content-type': 'application/json' },
      payload: '{"name": 1',
    });
    const lines = linesFor('req-400');
    assert.equal(lines.length, 2);
    const [error, access] = lines;
    assert.equal(error?.level, 'info');
    assert.equal(error?.quire?.statusCode, 400);
    assert.equal(error?.quire?.errorCode, 'FST_ERR_CTP_INVALID_JSON_BODY');
    assert.equal(error?.quire?.err, undefined, 'no stack noise');
    assert.equal(access?.msg, 'request completed');
  });

  it('answers a malformed URL (rejected before routing) in the same formats', async (t) => {
    const { app } = buildTestApp(t);
    const json = await app.inject({ url: '/posts/%zz<b>', headers: JSON_ACCEPT });
    assert.equal(json.statusCode, 400);
    assert.equal(json.json().error, 'Bad Request');
    assert.equal(json.json().requestId, json.headers['x-request-id']);

    const html = await app.inject({ url: '/posts/%zz<b>', headers: { 'x-request-id': 'bad-url' } });
    assert.equal(html.statusCode, 400);
    assert.equal(html.headers['x-request-id'], 'bad-url');
    assert.match(html.body, /<code>bad-url<\/code>/);
    assert.equal(html.body.includes('<b>'), false, 'the echoed URL is escaped');
  });
});

describe('prefersJson', () => {
  const cases: [string | undefined, boolean][] = [
    [undefined, false],
    ['', false],
    ['*/*', false],
    ['application/json', true],
    ['application/*', true],
    ['text/html', false],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', false],
    ['application/json, text/plain, */*', true],
    ['text/html;q=0.5, application/json', true],
    ['application/json;q=0.5, text/html', false],
    ['application/json, text/html', false],
    ['application/json;q=0, */*', false],
    ['text/*;q=0.1, application/json;q=0.2', true],
    ['Application/JSON', true],
    ['application/json;q=bogus', false],
  ];
  for (const [accept, expected] of cases) {
    it(`${JSON.stringify(accept)} → ${expected ? 'JSON' : 'HTML'}`, () => {
      assert.equal(prefersJson(accept), expected);
    });
  }
});
