import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import nunjucks from 'nunjucks';
import { etagMatches } from '../../src/http/send-page.ts';
import { makePost, makeSite } from '../helpers/site.ts';
import { buildTestApp } from './harness.ts';

const HTML = 'text/html; charset=utf-8';

describe('GET /', () => {
  it('lists posts newest first with link, date, summary and reading time', async (t) => {
    const { app } = buildTestApp(t);
    const response = await app.inject({ url: '/' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], HTML);
    const html = response.body;
    assert.match(html, /^<!doctype html>\n<html lang="en">/);
    assert.match(html, /<title>Test Blog<\/title>/);
    assert.match(html, /<a class="skip-link" href="#main">/);
    assert.match(html, /<main id="main"/);
    assert.match(html, /<link rel="stylesheet" href="\/assets\/style\.[0-9a-f]{10}\.css">/);
    const second = html.indexOf('<a href="/posts/second">Second post</a>');
    const first = html.indexOf('<a href="/posts/hello-world">Hello, world</a>');
    assert.ok(second > 0 && first > second, 'newest first');
    assert.match(html, /<time datetime="2026-03-05">March 5, 2026<\/time>/);
    assert.match(html, /The first post\./);
    assert.match(html, /3 min read/);
    const scripts = [...html.matchAll(/<script[^>]*>/gi)].map((m) => m[0]);
    assert.deepEqual(
      scripts.map((tag) => tag.replace(/\.[0-9a-f]{10}\./, '.')),
      ['<script src="/assets/theme.js">'],
      'the light/dark toggle, and no other script',
    );
  });

  it('says so when there are no posts', async (t) => {
    const { app } = buildTestApp(t, { site: makeSite([]) });
    const response = await app.inject({ url: '/' });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /No posts yet\./);
  });
});

describe('GET /posts/:slug', () => {
  it('shows title, dates, reading time, tags and the body', async (t) => {
    const { app } = buildTestApp(t);
    const response = await app.inject({ url: '/posts/hello-world' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], HTML);
    const html = response.body;
    assert.match(html, /<title>Hello, world · Test Blog<\/title>/);
    assert.match(html, /<meta name="description" content="The first post.">/);
    assert.match(html, /<link rel="canonical" href="https:\/\/blog.example\/posts\/hello-world">/);
    assert.match(html, /<h1>Hello, world<\/h1>/);
    assert.match(html, /Published <time datetime="2026-01-10">January 10, 2026<\/time>/);
    assert.match(html, /Updated <time datetime="2026-02-03">February 3, 2026<\/time>/);
    assert.match(html, /3 min read/);
    assert.match(
      html,
      /<li><a href="\/tags\/intro" rel="tag">intro<\/a><\/li>\s*<li><a href="\/tags\/meta" rel="tag">meta<\/a><\/li>/,
    );
    assert.ok(html.includes('<p>Welcome to <strong>Quire</strong>.</p>'), 'body HTML as is');
  });

  it('leaves out the updated date when there is none', async (t) => {
    const { app } = buildTestApp(t);
    const response = await app.inject({ url: '/posts/second' });
    assert.equal(response.statusCode, 200);
    assert.doesNotMatch(response.body, /Updated/);
  });

  it('answers an unknown slug with the 404 page', async (t) => {
    const { app } = buildTestApp(t);
    const response = await app.inject({ url: '/posts/nope' });
    assert.equal(response.statusCode, 404);
    assert.equal(response.headers['content-type'], HTML);
    assert.match(response.body, /404 · Not Found/);
  });

  it('serves slugs that need percent-encoding', async (t) => {
    const site = makeSite([makePost({ slug: 'café au lait', title: 'Coffee' })]);
    const { app } = buildTestApp(t, { site });
    const index = await app.inject({ url: '/' });
    assert.match(index.body, /href="\/posts\/caf%C3%A9%20au%20lait"/);
    const response = await app.inject({ url: '/posts/caf%C3%A9%20au%20lait' });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /<h1>Coffee<\/h1>/);
  });
});

describe('escaping', () => {
  const evil = '<script>alert("x")</script> & co';
  const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co';

  it('escapes post fields on the index and post pages; only the body is raw', async (t) => {
    const site = makeSite(
      [
        makePost({
          slug: 'evil',
          title: evil,
          summary: evil,
          tags: [evil],
          html: '<p>sanitized body</p>',
        }),
      ],
      { title: `Blog ${evil}` },
    );
    const { app } = buildTestApp(t, { site });
    for (const url of ['/', '/posts/evil']) {
      const { body } = await app.inject({ url });
      assert.equal(body.includes('<script>'), false, `${url} has no raw <script>`);
      assert.ok(
        body.includes(`<title>${url === '/' ? '' : `${escaped} · `}Blog ${escaped}</title>`),
      );
      assert.ok(body.includes(escaped), url);
    }
    const post = await app.inject({ url: '/posts/evil' });
    assert.ok(post.body.includes(`<h1>${escaped}</h1>`));
    assert.ok(post.body.includes(`rel="tag">${escaped}</a></li>`));
    assert.ok(post.body.includes('<p>sanitized body</p>'));
  });
});

describe('HEAD', () => {
  it('returns the headers of GET and no body', async (t) => {
    const { app } = buildTestApp(t);
    const get = await app.inject({ url: '/posts/hello-world' });
    const head = await app.inject({ method: 'HEAD', url: '/posts/hello-world' });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-type'], HTML);
    assert.equal(head.headers['content-length'], String(Buffer.byteLength(get.body)));
    assert.equal(head.headers.etag, get.headers.etag);
  });
});

describe('conditional GET', () => {
  it('sends a strong ETag and answers a matching If-None-Match with 304', async (t) => {
    const { app } = buildTestApp(t);
    const first = await app.inject({ url: '/' });
    const etag = String(first.headers.etag);
    assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
    assert.equal(first.headers['cache-control'], 'public, max-age=60, stale-while-revalidate=600');

    const again = await app.inject({ url: '/', headers: { 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
    assert.equal(again.body, '');
    assert.equal(again.headers.etag, etag);

    const other = await app.inject({ url: '/', headers: { 'if-none-match': '"stale"' } });
    assert.equal(other.statusCode, 200);

    const posts = await app.inject({ url: '/posts/second' });
    assert.notEqual(posts.headers.etag, etag, 'one ETag per page');
  });

  it('parses If-None-Match lists, weak tags and *', () => {
    assert.equal(etagMatches(undefined, '"a"'), false);
    assert.equal(etagMatches('"a"', '"a"'), true);
    assert.equal(etagMatches('"b", W/"a"', '"a"'), true);
    assert.equal(etagMatches('*', '"a"'), true);
    assert.equal(etagMatches('"ab"', '"a"'), false);
  });
});

describe('pages on demand', () => {
  it('renders a page on its first request, once for 50 concurrent ones, then from memory', async (t) => {
    const { app } = buildTestApp(t);
    const render = nunjucks.Environment.prototype.render;
    let renders = 0;
    nunjucks.Environment.prototype.render = function (this: nunjucks.Environment, ...args) {
      renders += 1;
      return (render as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof render;
    t.after(() => {
      nunjucks.Environment.prototype.render = render;
    });

    await app.ready();
    assert.equal(renders, 0, 'ready without rendering any page');
    const first = await Promise.all(
      Array.from({ length: 50 }, () => app.inject({ url: '/posts/hello-world' })),
    );
    assert.equal(renders, 1, 'one render for 50 concurrent first requests');
    assert.ok(first.every((response) => response.body === first[0]?.body));
    assert.equal(first[0]?.statusCode, 200);

    for (const url of ['/posts/hello-world', '/posts/hello-world']) {
      assert.equal((await app.inject({ url })).statusCode, 200);
      assert.equal((await app.inject({ method: 'HEAD', url })).statusCode, 200);
    }
    assert.equal(renders, 1, 'served from memory afterwards');
    await app.inject({ url: '/' });
    assert.equal(renders, 2, 'another page is rendered when asked for');
  });
});
