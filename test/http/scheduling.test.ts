import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import nunjucks from 'nunjucks';
import { makePost, makeSite } from '../helpers/site.ts';
import { buildTestApp } from './harness.ts';

const PUBLISH_AT = new Date('2026-06-01T09:00:00Z');

function siteWithScheduledPost() {
  return makeSite([
    makePost({
      slug: 'live',
      title: 'Live post',
      date: new Date('2026-05-01T00:00:00Z'),
      tags: ['shared'],
    }),
    makePost({
      slug: 'scheduled',
      title: 'Scheduled post',
      date: PUBLISH_AT,
      tags: ['shared', 'future-only'],
      aliases: ['scheduled-alias'],
      summary: 'Not yet.',
    }),
    makePost({ slug: 'wip', title: 'Draft post', draft: true, tags: ['shared'] }),
  ]);
}

/** A clock the test moves by hand. */
function manualClock(start: Date) {
  let now = start;
  return {
    now: () => now,
    set(to: Date) {
      now = to;
    },
  };
}

/** Counts nunjucks template renders from now until the test ends. */
function countTemplateRenders(t: TestContext): () => number {
  const render = nunjucks.Environment.prototype.render;
  let renders = 0;
  nunjucks.Environment.prototype.render = function (this: nunjucks.Environment, ...args) {
    renders += 1;
    return (render as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof render;
  t.after(() => {
    nunjucks.Environment.prototype.render = render;
  });
  return () => renders;
}

const EVERY_LIST = [
  '/',
  '/tags/',
  '/tags/shared',
  '/archive/',
  '/feed.xml',
  '/rss.xml',
  '/feed.json',
  '/sitemap.xml',
  '/tags/shared/feed.xml',
  '/tags/shared/feed.json',
  '/posts/live',
];

describe('scheduled posts', () => {
  it('are invisible everywhere until their time, then appear with no restart', async (t) => {
    const clock = manualClock(new Date('2026-06-01T08:59:00Z'));
    const { app } = buildTestApp(t, { site: siteWithScheduledPost(), now: clock.now });

    for (const url of [
      '/posts/scheduled',
      '/posts/scheduled-alias',
      '/tags/future-only',
      '/tags/future-only/rss.xml',
      '/posts/wip',
    ]) {
      assert.equal((await app.inject({ url })).statusCode, 404, `${url} before`);
    }
    for (const url of EVERY_LIST) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      assert.doesNotMatch(response.body, /Scheduled post|scheduled|future-only/, `${url} before`);
      assert.doesNotMatch(response.body, /Draft post|wip/, `${url} never shows drafts`);
    }
    const notFound = await app.inject({ url: '/posts/schedule' });
    assert.doesNotMatch(notFound.body, /Scheduled post/, 'the 404 page does not suggest it');

    clock.set(PUBLISH_AT);
    const post = await app.inject({ url: '/posts/scheduled' });
    assert.equal(post.statusCode, 200);
    assert.match(post.body, /<h1>Scheduled post<\/h1>/);
    const alias = await app.inject({ url: '/posts/scheduled-alias' });
    assert.equal(alias.statusCode, 301);
    assert.equal(alias.headers.location, '/posts/scheduled');
    for (const url of EVERY_LIST) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      assert.match(response.body, /Scheduled post|\/posts\/scheduled|future-only/, `${url} after`);
      assert.doesNotMatch(response.body, /Draft post|wip/, `${url} never shows drafts`);
    }
    assert.equal((await app.inject({ url: '/tags/future-only' })).statusCode, 200);
    assert.equal((await app.inject({ url: '/posts/wip' })).statusCode, 404);
  });

  it('when the time comes, renders again only the pages the post changes, as they are asked for', async (t) => {
    const clock = manualClock(new Date('2026-06-01T08:00:00Z'));
    const site = makeSite([
      ...siteWithScheduledPost().posts,
      makePost({ slug: 'old', title: 'Old', date: new Date('2026-01-01T00:00:00Z'), tags: ['x'] }),
    ]);
    const { app, logs } = buildTestApp(t, { site, now: clock.now, env: { PAGE_SIZE: '1' } });
    const urls = ['/', '/page/2', '/posts/live', '/posts/old', '/tags/x', '/archive/'];
    for (const url of urls) assert.equal((await app.inject({ url })).statusCode, 200, url);
    const renders = countTemplateRenders(t);
    clock.set(new Date('2026-06-01T10:00:00Z'));
    const responses = await Promise.all(urls.map((url) => app.inject({ url })));
    assert.match(responses[0]?.body ?? '', /Scheduled post/);
    assert.match(responses[2]?.body ?? '', /rel="next">[^]*?Newer[^]*?Scheduled post/);
    // Changed: both index pages (one post a page: every entry moves), the live post (its newer
    // neighbour), the archive. Not the oldest post (its neighbours stay) nor tag x's page.
    assert.equal(renders(), 4);
    const published = logs.filter((line) => line.msg === 'scheduled post published');
    assert.equal(published.length, 1);
    assert.equal(published[0]?.quire?.dropped, 4);
    assert.equal(published[0]?.quire?.kept, 2);
    assert.equal(published[0]?.quire?.nextChange, undefined);
    assert.ok((await app.inject({ url: '/page/3' })).statusCode === 200, 'a page more');
  });

  it('gives changed pages a new Last-Modified and ETag, so conditional requests see the change', async (t) => {
    const clock = manualClock(new Date('2026-06-01T08:00:00Z'));
    const { app } = buildTestApp(t, { site: siteWithScheduledPost(), now: clock.now });
    const urls = ['/', '/posts/live', '/feed.xml', '/tags/shared', '/sitemap.xml'];
    const before = new Map<string, { etag: string; lastModified: string }>();
    for (const url of urls) {
      const response = await app.inject({ url });
      before.set(url, {
        etag: String(response.headers.etag),
        lastModified: String(response.headers['last-modified']),
      });
      assert.equal(response.headers['last-modified'], 'Fri, 01 May 2026 00:00:00 GMT', url);
    }
    clock.set(PUBLISH_AT);
    for (const url of urls) {
      const old = before.get(url);
      assert.ok(old);
      // HEAD first: the page is rendered on demand for it as for GET.
      const head = await app.inject({ method: 'HEAD', url });
      assert.equal(head.statusCode, 200, url);
      assert.equal(head.headers['last-modified'], PUBLISH_AT.toUTCString(), url);
      const byDate = await app.inject({
        url,
        headers: { 'if-modified-since': old.lastModified },
      });
      assert.equal(byDate.statusCode, 200, `${url} If-Modified-Since`);
      assert.equal(head.headers['content-length'], String(byDate.rawPayload.length), url);
      const byEtag = await app.inject({ url, headers: { 'if-none-match': old.etag } });
      assert.equal(byEtag.statusCode, 200, `${url} If-None-Match`);
      assert.notEqual(byEtag.headers.etag, old.etag, url);
    }
  });

  it('caps Cache-Control on lists, posts and feeds at the time left before the next post', async (t) => {
    const clock = manualClock(new Date('2026-06-01T08:00:00Z')); // one hour before
    const { app } = buildTestApp(t, { site: siteWithScheduledPost(), now: clock.now });
    const normal = 'public, max-age=60, stale-while-revalidate=600';
    assert.equal((await app.inject({ url: '/' })).headers['cache-control'], normal);

    clock.set(new Date('2026-06-01T08:55:00Z')); // 300 s left
    for (const url of ['/', '/feed.xml', '/posts/live', '/tags/shared/feed.json', '/sitemap.xml']) {
      const response = await app.inject({ url });
      assert.equal(
        response.headers['cache-control'],
        'public, max-age=60, stale-while-revalidate=240',
        url,
      );
    }
    clock.set(new Date('2026-06-01T08:59:30Z')); // 30 s left
    assert.equal((await app.inject({ url: '/' })).headers['cache-control'], 'public, max-age=30');
    clock.set(new Date('2026-06-01T08:59:59.500Z'));
    assert.equal(
      (await app.inject({ url: '/rss.xml' })).headers['cache-control'],
      'public, max-age=0',
    );

    clock.set(PUBLISH_AT); // nothing else scheduled: the normal policy again
    assert.equal((await app.inject({ url: '/' })).headers['cache-control'], normal);
  });

  it('answers a 404 for a scheduled post with no-store, so no cache keeps it past its time', async (t) => {
    const { app } = buildTestApp(t, {
      site: siteWithScheduledPost(),
      now: () => new Date('2026-01-01T00:00:00Z'),
    });
    const response = await app.inject({ url: '/posts/scheduled' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.headers['cache-control'], 'no-store');
  });
});
