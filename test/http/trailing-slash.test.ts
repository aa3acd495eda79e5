/**
 * One trailing-slash rule for every route (issue #19, README "Endpoints"): each route has one
 * form, and the other form answers 301 to it, query string kept. Lists and folders end with a
 * slash (`/tags/`, `/archive/`); a post, a tag, a numbered page and a file do not.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTestApp } from './harness.ts';

const OTHER_FORMS: Record<string, string> = {
  '/tags': '/tags/',
  '/archive': '/archive/',
  '/posts/hello-world/': '/posts/hello-world',
  '/tags/intro/': '/tags/intro',
  '/tags/intro/page/2/': '/tags/intro/page/2',
  '/page/2/': '/page/2',
  '/feed.xml/': '/feed.xml',
  '/tags/intro/feed.json/': '/tags/intro/feed.json',
  '/sitemap.xml/': '/sitemap.xml',
  '/search/': '/search',
  '/opensearch.xml/': '/opensearch.xml',
  '/healthz/': '/healthz',
};

describe('the trailing slash', () => {
  it('the other form of every route answers 301 to its one form', async (t) => {
    const { app } = buildTestApp(t);
    for (const [from, to] of Object.entries(OTHER_FORMS)) {
      for (const method of ['GET', 'HEAD'] as const) {
        const response = await app.inject({ method, url: from });
        assert.equal(response.statusCode, 301, `${method} ${from}`);
        assert.equal(response.headers.location, to, `${method} ${from}`);
      }
    }
  });

  it('keeps the query string', async (t) => {
    const { app } = buildTestApp(t);
    const post = await app.inject({ url: '/posts/hello-world/?ref=feed&x=1' });
    assert.equal(post.headers.location, '/posts/hello-world?ref=feed&x=1');
    const search = await app.inject({ url: '/search/?q=quire' });
    assert.equal(search.headers.location, '/search?q=quire');
  });

  it('the one form is served; a path that is no route either way, or whose route found nothing, stays a 404', async (t) => {
    const { app } = buildTestApp(t);
    for (const url of ['/', '/tags/', '/archive/', '/posts/hello-world', '/feed.xml']) {
      assert.equal((await app.inject({ url })).statusCode, 200, url);
    }
    // An unknown asset: its route answers 404, and /assets/nope.css/ would be the same route.
    const paths = ['/nothing/', '/nothing', '/posts/', '//evil.example/', '/assets/nope.css'];
    for (const url of paths) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.headers.location, undefined, url);
    }
  });
});

describe('a method that does not read a page', () => {
  it('answers 405 with Allow: GET, HEAD where a page lives, and 404 where none does', async (t) => {
    const { app } = buildTestApp(t);
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH'] as const) {
      for (const url of ['/', '/posts/hello-world', '/tags/', '/feed.xml', '/search']) {
        const response = await app.inject({ method, url });
        assert.equal(response.statusCode, 405, `${method} ${url}`);
        assert.equal(response.headers.allow, 'GET, HEAD', `${method} ${url}`);
        assert.match(response.body, /405 · Method Not Allowed/, `${method} ${url}`);
      }
      assert.equal((await app.inject({ method, url: '/no/such/page' })).statusCode, 404);
    }
  });
});
