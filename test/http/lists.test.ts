import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makePost, makeSite } from '../helpers/site.ts';
import { buildTestApp } from './harness.ts';

/** Five posts a day apart, newest `p5`; tags: every post "all", odd ones "odd". */
function fivePosts() {
  return makeSite(
    [1, 2, 3, 4, 5].map((n) =>
      makePost({
        slug: `p${n}`,
        title: `Post number ${n}`,
        date: new Date(Date.UTC(2025 + (n === 5 ? 1 : 0), 0, n)),
        tags: n % 2 === 1 ? ['all', 'odd'] : ['all'],
      }),
    ),
  );
}

/** Post slugs linked from a list page, in order. */
const listed = (html: string) =>
  [...html.matchAll(/<h2 class="post-entry-title"><a href="\/posts\/([^"]+)">/g)].map(
    (match) => match[1],
  );

describe('index pagination (PAGE_SIZE)', () => {
  it('splits the index into pages with older/newer links', async (t) => {
    const { app } = buildTestApp(t, { site: fivePosts(), env: { PAGE_SIZE: '2' } });
    const first = await app.inject({ url: '/' });
    assert.deepEqual(listed(first.body), ['p5', 'p4']);
    assert.match(first.body, /<a [^>]*href="\/page\/2" rel="next">[^]*?Older posts<\/a>/);
    assert.doesNotMatch(first.body, /rel="prev"/);
    assert.match(first.body, /Page 1 of 3/);

    const second = await app.inject({ url: '/page/2' });
    assert.equal(second.statusCode, 200);
    assert.deepEqual(listed(second.body), ['p3', 'p2']);
    assert.match(second.body, /<a [^>]*href="\/page\/3" rel="next">/);
    assert.match(second.body, /<a [^>]*href="\/" rel="prev">Newer posts[^]*?<\/a>/);
    assert.match(second.body, /<link rel="canonical" href="https:\/\/blog.example\/page\/2">/);
    assert.match(second.body, /<title>Test Blog · Page 2<\/title>/);

    const last = await app.inject({ url: '/page/3' });
    assert.deepEqual(listed(last.body), ['p1']);
    assert.doesNotMatch(last.body, /rel="next"/);
  });

  it('shows no page navigation when everything fits on one page', async (t) => {
    const { app } = buildTestApp(t, { site: fivePosts() });
    const response = await app.inject({ url: '/' });
    assert.equal(listed(response.body).length, 5);
    assert.doesNotMatch(response.body, /class="pagination"/);
    assert.equal((await app.inject({ url: '/page/2' })).statusCode, 404);
  });

  it('redirects /page/1 to / (query kept) and 404s bad or out-of-range page numbers', async (t) => {
    const { app } = buildTestApp(t, { site: fivePosts(), env: { PAGE_SIZE: '2' } });
    const one = await app.inject({ url: '/page/1?utm=x' });
    assert.equal(one.statusCode, 301);
    assert.equal(one.headers.location, '/?utm=x');
    for (const url of [
      '/page/4',
      '/page/0',
      '/page/01',
      '/page/-1',
      '/page/abc',
      '/page/2.0',
      '/page/99999999999999999999',
      '/page/',
    ]) {
      const response = await app.inject({ url, headers: { accept: 'application/json' } });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.json().requestId, response.headers['x-request-id'], url);
    }
  });
});

describe('tags', () => {
  it('/tags/ lists every tag with its number of posts and a link', async (t) => {
    const { app } = buildTestApp(t, { site: fivePosts() });
    const response = await app.inject({ url: '/tags/' });
    assert.equal(response.statusCode, 200);
    assert.match(
      response.body,
      /<a href="\/tags\/all">all<\/a> <span class="count">\(5 posts\)<\/span>/,
    );
    assert.match(
      response.body,
      /<a href="\/tags\/odd">odd<\/a> <span class="count">\(3 posts\)<\/span>/,
    );
    const bare = await app.inject({ url: '/tags' });
    assert.equal(bare.statusCode, 301);
    assert.equal(bare.headers.location, '/tags/');
  });

  it('/tags/:tag lists its posts, paginated, with its own feeds', async (t) => {
    const { app } = buildTestApp(t, { site: fivePosts(), env: { PAGE_SIZE: '2' } });
    const first = await app.inject({ url: '/tags/odd' });
    assert.equal(first.statusCode, 200);
    assert.deepEqual(listed(first.body), ['p5', 'p3']);
    assert.match(first.body, /<h1 class="page-title">Posts tagged “odd”<\/h1>/);
    assert.match(first.body, /<a [^>]*href="\/tags\/odd\/page\/2" rel="next">/);
    assert.match(
      first.body,
      /<link rel="alternate" type="application\/atom\+xml" href="\/tags\/odd\/feed.xml"/,
    );
    const second = await app.inject({ url: '/tags/odd/page/2' });
    assert.deepEqual(listed(second.body), ['p1']);
    assert.match(second.body, /<a [^>]*href="\/tags\/odd" rel="prev">/);

    const one = await app.inject({ url: '/tags/odd/page/1?a=b' });
    assert.equal(one.statusCode, 301);
    assert.equal(one.headers.location, '/tags/odd?a=b');
    for (const url of ['/tags/odd/page/3', '/tags/odd/page/0', '/tags/odd/page/x', '/tags/none']) {
      assert.equal((await app.inject({ url })).statusCode, 404, url);
    }
  });

  it('a tag used only by a draft or a scheduled post is a 404, everywhere', async (t) => {
    const site = makeSite([
      makePost({ slug: 'live', tags: ['shown'] }),
      makePost({ slug: 'wip', tags: ['secret'], draft: true }),
      makePost({ slug: 'soon', tags: ['later'], date: new Date('2099-01-01T00:00:00Z') }),
    ]);
    const { app } = buildTestApp(t, { site });
    for (const url of [
      '/tags/secret',
      '/tags/later',
      '/tags/later/feed.xml',
      '/tags/secret/feed.json',
    ]) {
      assert.equal((await app.inject({ url })).statusCode, 404, url);
    }
    const tags = await app.inject({ url: '/tags/' });
    assert.doesNotMatch(tags.body, /secret|later/);
  });

  it('serves tags that need percent-encoding; a malformed escape is a clean 400', async (t) => {
    const site = makeSite([makePost({ slug: 'x', tags: ['C# & .NET'] })]);
    const { app } = buildTestApp(t, { site });
    const tags = await app.inject({ url: '/tags/' });
    assert.match(tags.body, /<a href="\/tags\/C%23%20%26%20.NET">C# &amp; .NET<\/a>/);
    const tag = await app.inject({ url: '/tags/C%23%20%26%20.NET' });
    assert.equal(tag.statusCode, 200);
    assert.match(tag.body, /Posts tagged “C# &amp; .NET”/);
    const post = await app.inject({ url: '/posts/x' });
    assert.match(post.body, /<a href="\/tags\/C%23%20%26%20.NET" rel="tag">/);

    const odd = makeSite([makePost({ slug: 'y', tags: ['ci/cd', 'a?b#c', '100%'] })]);
    const other = buildTestApp(t, { site: odd }).app;
    t.after(() => other.close());
    for (const url of [
      '/tags/ci%2Fcd',
      '/tags/a%3Fb%23c',
      '/tags/100%25',
      '/tags/ci%2Fcd/rss.xml',
    ]) {
      assert.equal((await other.inject({ url })).statusCode, 200, url);
    }

    const bad = await app.inject({ url: '/tags/%ZZ', headers: { accept: 'application/json' } });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().requestId, bad.headers['x-request-id']);
  });
});

describe('/archive/', () => {
  it('lists every published post by year, newest first', async (t) => {
    const { app } = buildTestApp(t, { site: fivePosts() });
    const response = await app.inject({ url: '/archive/' });
    assert.equal(response.statusCode, 200);
    const body = response.body;
    const y2026 = body.indexOf('<h2 id="year-2026">2026</h2>');
    const y2025 = body.indexOf('<h2 id="year-2025">2025</h2>');
    assert.ok(y2026 > 0 && y2025 > y2026, 'years newest first');
    const in2025 = body.slice(y2025);
    assert.deepEqual(
      [...in2025.matchAll(/<a href="\/posts\/(p\d)">/g)].map((m) => m[1]),
      ['p4', 'p3', 'p2', 'p1'],
    );
    assert.match(
      body.slice(y2026, y2025),
      /<time datetime="2026-01-05">January 5, 2026<\/time> <a href="\/posts\/p5">Post number 5<\/a>/,
    );
    assert.equal((await app.inject({ url: '/archive' })).headers.location, '/archive/');
  });
});

describe('post page navigation', () => {
  it('links the older and newer post and related posts by shared tags', async (t) => {
    const { app } = buildTestApp(t, { site: fivePosts() });
    const response = await app.inject({ url: '/posts/p3' });
    assert.match(
      response.body,
      /<a [^>]*href="\/posts\/p4" rel="next">[^]*?Newer[^]*?<span class="post-nav-title">Post number 4<\/span><\/a>/,
    );
    assert.match(
      response.body,
      /<a [^>]*href="\/posts\/p2" rel="prev">[^]*?Older[^]*?<span class="post-nav-title">Post number 2<\/span><\/a>/,
    );
    const related = response.body.slice(response.body.indexOf('Related posts'));
    // p5 and p1 share "all" and "odd"; p4 shares only "all" and is newer than p2.
    assert.deepEqual(
      [...related.matchAll(/<a href="\/posts\/(p\d)">/g)].map((m) => m[1]),
      ['p5', 'p1', 'p4'],
    );
    const newest = await app.inject({ url: '/posts/p5' });
    assert.doesNotMatch(newest.body, /rel="next"/);
  });
});
