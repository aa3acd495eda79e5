import assert from 'node:assert/strict';
import { createServer, get, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import helmet from 'helmet';
import {
  HELMET_OPTIONS,
  helmetHeaders,
  SECURITY_HEADERS,
} from '../../src/http/security-headers.ts';
import { buildTestApp } from './harness.ts';

/** The CSP as a map of directive -> sources. */
function parseCsp(header: unknown): Map<string, string[]> {
  const csp = new Map<string, string[]>();
  for (const part of String(header).split(';')) {
    const [name = '', ...sources] = part.trim().split(/\s+/);
    if (name !== '') csp.set(name, sources);
  }
  return csp;
}

describe('security headers', () => {
  const urls = ['/', '/posts/hello-world', '/no-such-page', '/assets/style.css', '/healthz'];

  it('sends the same strict policy on pages, errors and assets', async (t) => {
    const { app } = buildTestApp(t);
    for (const url of urls) {
      const response = await app.inject({ url });
      const csp = parseCsp(response.headers['content-security-policy']);
      assert.deepEqual(csp.get('default-src'), ["'none'"], url);
      assert.deepEqual(csp.get('script-src'), ["'self'"], url);
      assert.deepEqual(csp.get('style-src'), ["'self'"], url);
      assert.deepEqual(csp.get('style-src-elem'), ["'self'"], url);
      // Shiki's token colours are style attributes; nothing else may be inline.
      assert.deepEqual(csp.get('style-src-attr'), ["'unsafe-inline'"], url);
      assert.deepEqual(csp.get('img-src'), ["'self'", 'https:'], url);
      // The dev server's EventSource, and Lighthouse's robots.txt check, fetch from the page.
      assert.deepEqual(csp.get('connect-src'), ["'self'"], url);
      assert.deepEqual(csp.get('base-uri'), ["'none'"], url);
      assert.deepEqual(csp.get('frame-ancestors'), ["'none'"], url);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(response.headers['referrer-policy'], 'strict-origin-when-cross-origin', url);
      assert.match(String(response.headers['permissions-policy']), /camera=\(\)/, url);
      assert.match(String(response.headers['permissions-policy']), /geolocation=\(\)/, url);
      assert.equal(response.headers['x-frame-options'], 'DENY', url);
      assert.equal(response.headers['cross-origin-resource-policy'], 'cross-origin', url);
      assert.equal(response.headers['strict-transport-security'], undefined, 'nginx sets HSTS');
    }
  });

  it('leaves them all to the nginx in front with SECURITY_HEADERS=proxy, and nothing else', async (t) => {
    const sent = (await buildTestApp(t).app.inject({ url: '/posts/hello-world' })).headers;
    const { app } = buildTestApp(t, { env: { SECURITY_HEADERS: 'proxy' } });
    for (const url of urls) {
      const response = await app.inject({ url });
      for (const name of Object.keys(SECURITY_HEADERS)) {
        assert.equal(response.headers[name], undefined, `${name} on ${url}`);
      }
    }
    const page = await app.inject({ url: '/posts/hello-world' });
    const rest = (headers: typeof sent) =>
      Object.keys(headers).filter((name) => !(name in SECURITY_HEADERS) && name !== 'date');
    assert.deepEqual(rest(page.headers), rest(sent), 'every other header is still sent');
    assert.equal(page.statusCode, 200);
  });

  it('no directive allows inline or evaluated script', async (t) => {
    const { app } = buildTestApp(t);
    const header = String((await app.inject({ url: '/' })).headers['content-security-policy']);
    const csp = parseCsp(header);
    for (const [name, sources] of csp) {
      if (name === 'style-src-attr') continue;
      assert.ok(!sources.includes("'unsafe-inline'"), `${name}: ${sources.join(' ')}`);
      assert.ok(!sources.includes("'unsafe-eval'"), `${name}: ${sources.join(' ')}`);
    }
  });

  it('pages have no inline script and no <style> element, which the policy would block', async (t) => {
    const { app } = buildTestApp(t);
    for (const url of ['/', '/posts/hello-world', '/no-such-page']) {
      const html = (await app.inject({ url })).body;
      // JSON-LD is data, never run, so the policy does not apply to it; any other script is a file.
      for (const tag of html.match(/<script\b[^>]*>/g) ?? []) {
        if (tag === '<script type="application/ld+json">') continue;
        assert.match(tag, / src="\/assets\/[^"]+"/, `${url}: ${tag}`);
      }
      assert.doesNotMatch(html, /<style\b/, url);
      assert.doesNotMatch(html, / on[a-z]+="/, url);
    }
  });
});

describe('security headers, worked out once', () => {
  it('are exactly what helmet itself sets on a real response, plus Permissions-Policy', async (t) => {
    // helmet's own middleware, per request, on a real socket: what @fastify/helmet used to do.
    const server = createServer((request, response) => {
      helmet(HELMET_OPTIONS)(request, response, () => response.end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => server.close());
    const { port } = server.address() as AddressInfo;
    const fromHelmet = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      get(`http://127.0.0.1:${port}/`, (response) => {
        response.resume();
        resolve(response.headers);
      }).on('error', reject);
    });
    const standard = new Set(['date', 'connection', 'keep-alive', 'content-length']);
    const expected = Object.fromEntries(
      Object.entries(fromHelmet).filter(([name]) => !standard.has(name)),
    );
    assert.ok(Object.keys(expected).length >= 10, Object.keys(expected).join(', '));
    assert.deepEqual(helmetHeaders(HELMET_OPTIONS), expected);
    assert.deepEqual(
      { ...SECURITY_HEADERS },
      { ...expected, 'permissions-policy': SECURITY_HEADERS['permissions-policy'] },
    );

    const { app } = buildTestApp(t);
    const page = await app.inject({ url: '/posts/hello-world' });
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      assert.equal(page.headers[name], value, name);
    }
  });

  it('are on 304s, HEAD answers, 500s and JSON errors too', async (t) => {
    const { app } = buildTestApp(t);
    app.get('/boom', async () => {
      throw new Error('boom');
    });
    const etag = String((await app.inject({ url: '/' })).headers.etag);
    const responses = {
      notModified: await app.inject({ url: '/', headers: { 'if-none-match': etag } }),
      head: await app.inject({ method: 'HEAD', url: '/posts/hello-world' }),
      error: await app.inject({ url: '/boom' }),
      jsonError: await app.inject({ url: '/boom', headers: { accept: 'application/json' } }),
      notFound: await app.inject({ url: '/posts/nope', headers: { accept: 'application/json' } }),
    };
    assert.equal(responses.notModified.statusCode, 304);
    assert.equal(responses.error.statusCode, 500);
    assert.equal(responses.jsonError.statusCode, 500);
    assert.equal(responses.notFound.statusCode, 404);
    for (const [what, response] of Object.entries(responses)) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        assert.equal(response.headers[name], value, `${what}: ${name}`);
      }
      assert.ok(response.headers['x-request-id'], `${what}: x-request-id`);
    }
  });
});
