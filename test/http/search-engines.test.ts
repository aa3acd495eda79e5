import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { makePost, makeSite } from '../helpers/site.ts';
import { buildTestApp } from './harness.ts';

const NOW = () => new Date('2026-06-01T00:00:00Z');

function seoSite() {
  return makeSite([
    makePost({
      slug: 'hello',
      title: 'Hello "there"',
      summary: 'A summary & more.',
      date: new Date('2026-01-10T08:00:00Z'),
      updated: new Date('2026-02-01T00:00:00Z'),
      tags: ['intro'],
    }),
    makePost({ slug: 'second', date: new Date('2026-03-01T00:00:00Z'), tags: ['intro', 'b'] }),
    makePost({ slug: 'wip', draft: true, tags: ['hidden'] }),
    makePost({ slug: 'future', date: new Date('2027-01-01T00:00:00Z'), tags: ['later'] }),
  ]);
}

const meta = (html: string, attribute: 'name' | 'property', key: string) =>
  new RegExp(
    `<meta ${attribute}="${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" content="([^"]*)">`,
  ).exec(html)?.[1];

describe('post page head', () => {
  it('has title, description, canonical, OpenGraph, Twitter card and feed links', async (t) => {
    const { app } = buildTestApp(t, { site: seoSite(), now: NOW });
    const html = (await app.inject({ url: '/posts/hello' })).body;
    assert.match(html, /<title>Hello &quot;there&quot; · Test Blog<\/title>/);
    assert.equal(meta(html, 'name', 'description'), 'A summary &amp; more.');
    assert.match(html, /<link rel="canonical" href="https:\/\/blog.example\/posts\/hello">/);
    assert.equal(meta(html, 'property', 'og:type'), 'article');
    assert.equal(meta(html, 'property', 'og:title'), 'Hello &quot;there&quot;');
    assert.equal(meta(html, 'property', 'og:description'), 'A summary &amp; more.');
    assert.equal(meta(html, 'property', 'og:url'), 'https://blog.example/posts/hello');
    assert.equal(meta(html, 'property', 'og:site_name'), 'Test Blog');
    assert.equal(meta(html, 'property', 'article:published_time'), '2026-01-10T08:00:00.000Z');
    assert.equal(meta(html, 'property', 'article:modified_time'), '2026-02-01T00:00:00.000Z');
    assert.equal(meta(html, 'name', 'twitter:card'), 'summary');
    assert.equal(meta(html, 'name', 'twitter:title'), 'Hello &quot;there&quot;');
  });

  it('has a JSON-LD BlogPosting', async (t) => {
    const { app } = buildTestApp(t, { site: seoSite(), now: NOW, env: { SITE_AUTHOR: 'Ada' } });
    const html = (await app.inject({ url: '/posts/hello' })).body;
    const json = /<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html)?.[1];
    assert.ok(json);
    assert.deepEqual(JSON.parse(json), {
      '@context': 'https://schema.org',
      '@type': 'BlogPosting',
      headline: 'Hello "there"',
      description: 'A summary & more.',
      url: 'https://blog.example/posts/hello',
      mainEntityOfPage: { '@type': 'WebPage', '@id': 'https://blog.example/posts/hello' },
      datePublished: '2026-01-10T08:00:00.000Z',
      dateModified: '2026-02-01T00:00:00.000Z',
      author: { '@type': 'Person', name: 'Ada' },
      publisher: { '@type': 'Organization', name: 'Test Blog', url: 'https://blog.example/' },
      keywords: ['intro'],
      inLanguage: 'en',
    });
  });

  it('says the language of SITE_LANGUAGE: html lang, og:locale, JSON-LD and the RSS feed', async (t) => {
    const { app } = buildTestApp(t, { site: seoSite(), now: NOW, env: { SITE_LANGUAGE: 'pt-br' } });
    const html = (await app.inject({ url: '/posts/hello' })).body;
    assert.match(html, /^<!doctype html>\s*<html lang="pt-BR">/);
    assert.equal(meta(html, 'property', 'og:locale'), 'pt_BR');
    assert.match(html, /"inLanguage":"pt-BR"/);
    const rss = (await app.inject({ url: '/rss.xml' })).body;
    assert.match(rss, /<language>pt-BR<\/language>/);
  });

  it('keeps </script> and <!-- in a title or summary from escaping the JSON-LD', async (t) => {
    const evil = '</script><script>alert(1)</script><!--';
    const site = makeSite([makePost({ slug: 'evil', title: evil, summary: `${evil} \u2028` })]);
    const { app } = buildTestApp(t, { site });
    const html = (await app.inject({ url: '/posts/evil' })).body;
    const start = html.indexOf('<script type="application/ld+json">');
    const end = html.indexOf('</script>', start);
    const json = html.slice(start + '<script type="application/ld+json">'.length, end);
    assert.doesNotMatch(json, /[<>]/);
    assert.equal(JSON.parse(json).headline, evil, 'still the same data');
    // Besides the theme's external scripts (<script src=...>), which carry no page data.
    assert.equal((html.match(/<script(?! src=)/g) ?? []).length, 1, 'no second script element');
  });
});

describe('list pages head', () => {
  it('index uses SITE_DESCRIPTION and links the feeds', async (t) => {
    const { app } = buildTestApp(t, {
      site: seoSite(),
      now: NOW,
      env: { SITE_DESCRIPTION: 'Notes & essays' },
    });
    const html = (await app.inject({ url: '/' })).body;
    assert.equal(meta(html, 'name', 'description'), 'Notes &amp; essays');
    assert.equal(meta(html, 'property', 'og:type'), 'website');
    assert.match(html, /<link rel="canonical" href="https:\/\/blog.example\/">/);
    assert.match(
      html,
      /<link rel="alternate" type="application\/atom\+xml" href="\/feed.xml" title="Test Blog">/,
    );
    assert.match(html, /<link rel="alternate" type="application\/rss\+xml" href="\/rss.xml"/);
    assert.match(html, /<link rel="alternate" type="application\/feed\+json" href="\/feed.json"/);
    assert.doesNotMatch(html, /application\/ld\+json/);
  });
});

describe('/sitemap.xml', () => {
  it('lists exactly the published posts and the lists, with lastmod', async (t) => {
    const { app } = buildTestApp(t, { site: seoSite(), now: NOW });
    const response = await app.inject({ url: '/sitemap.xml' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/xml; charset=utf-8');
    assert.equal(XMLValidator.validate(response.body), true);
    const { urlset } = new XMLParser({ ignoreAttributes: false }).parse(response.body);
    assert.equal(urlset['@_xmlns'], 'http://www.sitemaps.org/schemas/sitemap/0.9');
    const entries = [urlset.url].flat() as { loc: string; lastmod?: string }[];
    assert.deepEqual(entries.map((entry) => entry.loc).sort(), [
      'https://blog.example/',
      'https://blog.example/archive/',
      'https://blog.example/posts/hello',
      'https://blog.example/posts/second',
      'https://blog.example/tags/',
      'https://blog.example/tags/b',
      'https://blog.example/tags/intro',
    ]);
    const lastmod = Object.fromEntries(entries.map((entry) => [entry.loc, entry.lastmod]));
    assert.equal(lastmod['https://blog.example/posts/hello'], '2026-02-01');
    assert.equal(lastmod['https://blog.example/'], '2026-03-01');
  });

  it('escapes URLs', async (t) => {
    const site = makeSite([makePost({ slug: 'x', tags: ['a&b <c>'] })]);
    const { app } = buildTestApp(t, { site });
    const body = (await app.inject({ url: '/sitemap.xml' })).body;
    assert.equal(XMLValidator.validate(body), true);
    assert.match(body, /<loc>https:\/\/blog.example\/tags\/a%26b%20%3Cc%3E<\/loc>/);
  });
});

describe('/robots.txt', () => {
  it('allows crawling and names the sitemap', async (t) => {
    const { app } = buildTestApp(t, { site: seoSite() });
    const response = await app.inject({ url: '/robots.txt' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'text/plain; charset=utf-8');
    assert.match(response.body, /^User-agent: \*$/m);
    assert.match(response.body, /^Sitemap: https:\/\/blog.example\/sitemap.xml$/m);
  });
});

describe('404 page', () => {
  it('suggests the published post nearest to the requested path', async (t) => {
    const site = makeSite([
      makePost({ slug: 'writing-a-post', title: 'Writing a post' }),
      makePost({ slug: 'deploying', title: 'Deploying' }),
    ]);
    const { app } = buildTestApp(t, { site });
    for (const url of ['/posts/writng-a-post', '/post/writing-a-post', '/writing-a-post?x=1']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 404, url);
      assert.match(
        response.body,
        /Did you mean <a href="\/posts\/writing-a-post">Writing a post<\/a>\?/,
        url,
      );
    }
    const far = await app.inject({ url: '/posts/something-else-entirely' });
    assert.equal(far.statusCode, 404);
    assert.doesNotMatch(far.body, /Did you mean/);
  });
});
