import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { notModifiedSince } from '../../src/http/send-page.ts';
import { makePost, makeSite } from '../helpers/site.ts';
import { buildTestApp } from './harness.ts';

function cachingSite() {
  return makeSite([
    makePost({
      slug: 'a',
      date: new Date('2026-01-01T10:00:00.750Z'),
      updated: new Date('2026-02-01T00:00:00Z'),
      tags: ['t'],
    }),
    makePost({ slug: 'b', date: new Date('2026-03-01T00:00:00Z'), tags: ['t'] }),
  ]);
}

/** Every cached route of the site above, with its Last-Modified. */
const ROUTES: [string, string][] = [
  ['/', 'Sun, 01 Mar 2026 00:00:00 GMT'],
  ['/posts/a', 'Sun, 01 Mar 2026 00:00:00 GMT'], // its newer neighbour b
  ['/tags/', 'Sun, 01 Mar 2026 00:00:00 GMT'],
  ['/tags/t', 'Sun, 01 Mar 2026 00:00:00 GMT'],
  ['/archive/', 'Sun, 01 Mar 2026 00:00:00 GMT'],
  ['/feed.xml', 'Sun, 01 Mar 2026 00:00:00 GMT'],
  ['/rss.xml', 'Sun, 01 Mar 2026 00:00:00 GMT'],
  ['/feed.json', 'Sun, 01 Mar 2026 00:00:00 GMT'],
  ['/tags/t/feed.xml', 'Sun, 01 Mar 2026 00:00:00 GMT'],
  ['/tags/t/rss.xml', 'Sun, 01 Mar 2026 00:00:00 GMT'],
  ['/tags/t/feed.json', 'Sun, 01 Mar 2026 00:00:00 GMT'],
  ['/sitemap.xml', 'Sun, 01 Mar 2026 00:00:00 GMT'],
];

const POLICY = 'public, max-age=60, stale-while-revalidate=600';

/** The Content-Type each route's 200 carries. */
function firstType(url: string): string {
  if (url.endsWith('.json')) return 'application/feed+json; charset=utf-8';
  if (url.endsWith('/feed.xml')) return 'application/atom+xml; charset=utf-8';
  if (url.endsWith('/rss.xml')) return 'application/rss+xml; charset=utf-8';
  if (url.endsWith('.xml')) return 'application/xml; charset=utf-8';
  return 'text/html; charset=utf-8';
}

describe('HTTP caching of pages and feeds', () => {
  it('sends a strong ETag, Last-Modified and a short Cache-Control on every route', async (t) => {
    const { app } = buildTestApp(t, { site: cachingSite() });
    const etags = new Set<string>();
    for (const [url, lastModified] of ROUTES) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      assert.match(String(response.headers.etag), /^"[A-Za-z0-9_-]{27}"$/, url);
      etags.add(String(response.headers.etag));
      assert.equal(response.headers['last-modified'], lastModified, url);
      assert.equal(response.headers['cache-control'], POLICY, url);
    }
    assert.equal(etags.size, ROUTES.length, 'one ETag per representation');
    const robots = await app.inject({ url: '/robots.txt' });
    assert.ok(robots.headers.etag);
  });

  it('answers If-None-Match and If-Modified-Since with 304 on every route', async (t) => {
    const { app } = buildTestApp(t, { site: cachingSite() });
    for (const [url, lastModified] of ROUTES) {
      const first = await app.inject({ url });
      const etag = String(first.headers.etag);
      const byEtag = await app.inject({ url, headers: { 'if-none-match': etag } });
      assert.equal(byEtag.statusCode, 304, url);
      assert.equal(byEtag.body, '');
      assert.equal(byEtag.headers.etag, etag);
      assert.equal(byEtag.headers['cache-control'], POLICY);
      assert.equal(byEtag.headers['last-modified'], lastModified);
      // RFC 9110 §15.4.5: validators and caching fields, no representation metadata.
      assert.equal(byEtag.headers['content-type'], undefined, `${url}: no Content-Type on a 304`);
      assert.equal(first.headers['content-type'], firstType(url), url);

      const byDate = await app.inject({ url, headers: { 'if-modified-since': lastModified } });
      assert.equal(byDate.statusCode, 304, `${url} If-Modified-Since`);
      const later = new Date(Date.parse(lastModified) + 3600_000).toUTCString();
      assert.equal(
        (await app.inject({ url, headers: { 'if-modified-since': later } })).statusCode,
        304,
      );
      const earlier = new Date(Date.parse(lastModified) - 1000).toUTCString();
      const modified = await app.inject({ url, headers: { 'if-modified-since': earlier } });
      assert.equal(modified.statusCode, 200, `${url} modified since`);
      assert.equal(modified.body, first.body);
    }
  });

  it('lets If-None-Match take precedence over If-Modified-Since (RFC 9110 §13.1.3)', async (t) => {
    const { app } = buildTestApp(t, { site: cachingSite() });
    const first = await app.inject({ url: '/' });
    const lastModified = String(first.headers['last-modified']);
    const stale = await app.inject({
      url: '/',
      headers: { 'if-none-match': '"old"', 'if-modified-since': lastModified },
    });
    assert.equal(stale.statusCode, 200, 'a non-matching ETag wins over a matching date');
    const fresh = await app.inject({
      url: '/',
      headers: {
        'if-none-match': String(first.headers.etag),
        'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT',
      },
    });
    assert.equal(fresh.statusCode, 304, 'a matching ETag wins over an old date');
  });

  it('ignores an unparseable If-Modified-Since', () => {
    const at = new Date('2026-03-01T00:00:00Z');
    assert.equal(notModifiedSince('yesterday', at), false);
    assert.equal(notModifiedSince(undefined, at), false);
    assert.equal(notModifiedSince('Sun, 01 Mar 2026 00:00:00 GMT', undefined), false);
    assert.equal(notModifiedSince('Sun, 01 Mar 2026 00:00:00 GMT', at), true);
  });

  it('never compresses: nginx does', async (t) => {
    const { app } = buildTestApp(t, { site: cachingSite() });
    for (const [url] of ROUTES) {
      const response = await app.inject({ url, headers: { 'accept-encoding': 'gzip, br' } });
      assert.equal(response.headers['content-encoding'], undefined, url);
    }
  });
});

describe('HEAD', () => {
  it('works on every route with the headers of GET and no body', async (t) => {
    const { app } = buildTestApp(t, {
      site: makeSite([...cachingSite().posts, makePost({ slug: 'c', aliases: ['old-c'] })]),
    });
    const urls = [
      ...ROUTES.map(([url]) => url),
      '/robots.txt',
      '/posts/old-c',
      '/page/1',
      '/tags',
      '/archive',
      '/posts/missing',
      '/page/9',
      '/tags/none',
      '/healthz',
      '/assets/style.css',
    ];
    for (const url of urls) {
      const get = await app.inject({ url });
      const head = await app.inject({ method: 'HEAD', url });
      assert.equal(head.statusCode, get.statusCode, url);
      assert.equal(head.body, '', url);
      assert.equal(head.headers['content-type'], get.headers['content-type'], url);
      assert.equal(head.headers.location, get.headers.location, url);
      if (get.statusCode === 200) {
        assert.equal(head.headers.etag, get.headers.etag, url);
        assert.equal(head.headers['content-length'], String(get.rawPayload.length), url);
      }
    }
  });
});
