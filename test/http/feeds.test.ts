import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { makePost, makeSite } from '../helpers/site.ts';
import { buildTestApp } from './harness.ts';

const BODY =
  '<p>See <a href="/posts/older">the older post</a>, <a href="#fn-1">a note</a> and ' +
  '<a href="https://elsewhere.example/x?a=1&amp;b=2">elsewhere</a>.</p>' +
  '<p><img src="/images/figure.png" srcset="/images/figure.png 1x, figure@2x.png 2x" alt="Figure"></p>' +
  '<pre><code>if (a ]]&gt; b) { return "&lt;a href=\\"/relative\\"&gt;" }</code></pre>' +
  '<p>Text with ]]> in it.</p>';

function feedSite() {
  return makeSite(
    [
      makePost({
        slug: 'newest',
        file: 'posts/newest-file.md',
        title: 'Newest & <best>',
        date: new Date('2026-03-01T10:00:00Z'),
        updated: new Date('2026-03-05T12:00:00Z'),
        tags: ['tech', 'quire'],
        summary: 'The newest post.',
        html: BODY,
      }),
      makePost({
        slug: 'older',
        title: 'Older',
        date: new Date('2026-02-01T00:00:00Z'),
        tags: ['tech'],
        html: '<p>Older body.</p>',
      }),
      makePost({ slug: 'wip', title: 'Draft', draft: true, tags: ['tech'] }),
      makePost({ slug: 'later', title: 'Later', date: new Date('2099-01-01T00:00:00Z') }),
    ],
    { url: 'https://blog.example/sub' },
  );
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' });

/** Every href/src/srcset URL inside an HTML fragment. */
function urlsIn(html: string): string[] {
  const urls: string[] = [];
  for (const match of html.matchAll(/\s(href|src|srcset)="([^"]*)"/g)) {
    const [, name, value = ''] = match;
    if (name === 'srcset')
      urls.push(...value.split(',').map((c) => c.trim().split(/\s+/)[0] ?? ''));
    else urls.push(value.replaceAll('&amp;', '&'));
  }
  return urls;
}

function assertAbsolute(urls: string[], where: string) {
  assert.ok(urls.length > 0, `${where}: some URLs`);
  for (const url of urls) assert.match(url, /^(https?|mailto):/, `${where}: ${url}`);
}

async function get(t: TestContext, url: string) {
  const { app } = buildTestApp(t, {
    site: feedSite(),
    env: { SITE_AUTHOR: 'Ada Lovelace', SITE_DESCRIPTION: 'Notes on engines.' },
    now: () => new Date('2026-06-01T00:00:00Z'),
  });
  return app.inject({ url });
}

describe('Atom /feed.xml', () => {
  it('is well-formed Atom with the required elements, full content and absolute URLs', async (t) => {
    const response = await get(t, '/feed.xml');
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/atom+xml; charset=utf-8');
    assert.equal(XMLValidator.validate(response.body), true);
    const { feed } = parser.parse(response.body);
    assert.equal(feed['@_xmlns'], 'http://www.w3.org/2005/Atom');
    assert.equal(feed.id, 'https://blog.example/sub/');
    assert.equal(feed.title, 'Test Blog');
    assert.equal(feed.subtitle, 'Notes on engines.');
    assert.equal(feed.updated, '2026-03-05T12:00:00.000Z', 'newest change, not the clock');
    assert.equal(feed.author.name, 'Ada Lovelace');
    const links = [feed.link].flat();
    assert.ok(
      links.some(
        (l) => l['@_rel'] === 'self' && l['@_href'] === 'https://blog.example/sub/feed.xml',
      ),
    );
    assert.ok(
      links.some((l) => l['@_rel'] === 'alternate' && l['@_href'] === 'https://blog.example/sub/'),
    );

    const entries = [feed.entry].flat();
    assert.deepEqual(
      entries.map((e) => e.title['#text'] ?? e.title),
      ['Newest &amp; &lt;best&gt;', 'Older'],
      'published posts only, newest first; titles are type="html", so escaped',
    );
    assert.equal(entries[0].title['@_type'], 'html');
    const [newest] = entries;
    assert.equal(newest.id, 'tag:blog.example,2026-03-01:newest-file');
    assert.equal(newest.link['@_href'], 'https://blog.example/sub/posts/newest');
    assert.equal(newest.published, '2026-03-01T10:00:00.000Z');
    assert.equal(newest.updated, '2026-03-05T12:00:00.000Z');
    assert.equal(entries[1].updated, '2026-02-01T00:00:00.000Z', 'no update: updated = published');
    const content: string = newest.content['#text'];
    assert.equal(newest.content['@_type'], 'html');
    assert.ok(content.includes('Text with ]]&gt; in it.'), 'full content, CDATA-safe');
    assertAbsolute(urlsIn(content), 'atom content');
    assert.ok(content.includes('href="https://blog.example/sub/posts/older"'));
    assert.ok(content.includes('href="https://blog.example/sub/posts/newest#fn-1"'));
    assert.ok(content.includes('src="https://blog.example/sub/images/figure.png"'), content);
    assert.ok(content.includes('https://blog.example/sub/posts/figure@2x.png 2x'), content);
    assert.ok(content.includes('href="https://elsewhere.example/x?a=1&amp;b=2"'), content);
  });
});

describe('RSS /rss.xml', () => {
  it('is well-formed RSS 2.0 with guid, pubDate, full content and absolute URLs', async (t) => {
    const response = await get(t, '/rss.xml');
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/rss+xml; charset=utf-8');
    assert.equal(XMLValidator.validate(response.body), true);
    const { rss } = parser.parse(response.body);
    assert.equal(rss['@_version'], '2.0');
    const { channel } = rss;
    assert.equal(channel.title, 'Test Blog');
    assert.equal(channel.link, 'https://blog.example/sub/');
    assert.equal(channel.description, 'Notes on engines.');
    const items = [channel.item].flat();
    assert.equal(items.length, 2);
    const [newest] = items;
    assert.equal(newest.guid['#text'], 'tag:blog.example,2026-03-01:newest-file');
    assert.equal(newest.guid['@_isPermaLink'], 'false');
    assert.equal(newest.title, 'Newest &amp; &lt;best&gt;');
    assert.equal(newest.link, 'https://blog.example/sub/posts/newest');
    assert.equal(newest.pubDate, 'Sun, 01 Mar 2026 10:00:00 GMT');
    assertAbsolute(urlsIn(newest['content:encoded']), 'rss content');
    assert.deepEqual(
      [newest.category].flat().map((c) => c['#text'] ?? c),
      ['tech', 'quire'],
    );
  });
});

describe('JSON Feed /feed.json', () => {
  it('has the required members, dates, full content and absolute URLs', async (t) => {
    const response = await get(t, '/feed.json');
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['content-type'], 'application/feed+json; charset=utf-8');
    const feed = response.json();
    assert.match(feed.version, /^https:\/\/jsonfeed.org\/version\/1/);
    assert.equal(feed.title, 'Test Blog');
    assert.equal(feed.home_page_url, 'https://blog.example/sub/');
    assert.equal(feed.feed_url, 'https://blog.example/sub/feed.json');
    assert.equal(feed.items.length, 2);
    const [newest] = feed.items;
    assert.equal(newest.id, 'tag:blog.example,2026-03-01:newest-file');
    assert.equal(newest.url, 'https://blog.example/sub/posts/newest');
    assert.equal(newest.title, 'Newest & <best>');
    assert.equal(newest.date_published, '2026-03-01T10:00:00.000Z');
    assert.equal(newest.date_modified, '2026-03-05T12:00:00.000Z');
    assert.equal(newest.summary, 'The newest post.');
    assertAbsolute(urlsIn(newest.content_html), 'json content');
    assert.deepEqual(newest.tags, ['tech', 'quire']);
  });
});

describe('tag feeds', () => {
  it('carry only the tag’s published posts, in all three formats', async (t) => {
    const atom = parser.parse((await get(t, '/tags/quire/feed.xml')).body).feed;
    assert.equal(atom.id, 'https://blog.example/sub/tags/quire');
    assert.equal(atom.title, 'Test Blog: quire');
    assert.equal([atom.entry].flat().length, 1);
    const rss = parser.parse((await get(t, '/tags/tech/rss.xml')).body).rss;
    assert.equal([rss.channel.item].flat().length, 2, 'not the draft');
    const json = (await get(t, '/tags/tech/feed.json')).json();
    assert.deepEqual(
      json.items.map((item: { url: string }) => item.url),
      ['https://blog.example/sub/posts/newest', 'https://blog.example/sub/posts/older'],
    );
    assert.equal((await get(t, '/tags/nope/feed.json')).statusCode, 404);
  });

  it('keep the same ids when the slug changes, so readers do not show a post twice', async (t) => {
    const render = async (slug: string) => {
      const site = makeSite([
        makePost({ slug, file: 'posts/original.md', date: new Date('2026-01-02T00:00:00Z') }),
      ]);
      const { app } = buildTestApp(t, { site });
      return (await app.inject({ url: '/feed.json' })).json().items[0];
    };
    const before = await render('original');
    const after = await render('renamed');
    assert.equal(before.id, after.id);
    assert.notEqual(before.url, after.url);
  });
});

describe('feeds with markup characters in names', () => {
  it('stay well-formed and keep the names as text', async (t) => {
    const site = makeSite([makePost({ slug: 'x', title: 'T & <t>', tags: ['a&b <c>'] })], {
      title: 'A & B <c>',
    });
    const { app } = buildTestApp(t, { site, env: { SITE_AUTHOR: 'Me & <you>' } });
    for (const url of ['/feed.xml', '/rss.xml', '/tags/a%26b%20%3Cc%3E/feed.xml']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      assert.equal(XMLValidator.validate(response.body), true, url);
    }
    const atom = parser.parse((await app.inject({ url: '/feed.xml' })).body).feed;
    assert.equal(atom.title, 'A & B <c>');
    assert.equal(atom.author.name, 'Me & <you>');
    const json = (await app.inject({ url: '/tags/a%26b%20%3Cc%3E/feed.json' })).json();
    assert.equal(json.title, 'A & B <c>: a&b <c>');
    assert.equal(json.items[0].title, 'T & <t>');
  });
});

describe('feeds of a site without a description', () => {
  it('leave the subtitle and the home page description empty rather than repeat the title', async (t) => {
    const { app } = buildTestApp(t, { site: feedSite(), env: { SITE_DESCRIPTION: '' } });
    const atom = parser.parse((await app.inject({ url: '/feed.xml' })).body).feed;
    assert.equal(atom.subtitle, undefined);
    const rss = (await app.inject({ url: '/rss.xml' })).body;
    assert.equal(XMLValidator.validate(rss), true);
    // RSS 2.0 requires the channel's description element: there, and empty.
    assert.equal(parser.parse(rss).rss.channel.description, '');
    assert.equal((await app.inject({ url: '/feed.json' })).json().description, undefined);
    const home = (await app.inject({ url: '/' })).body;
    assert.match(home, /<meta name="description" content="">/);
    assert.doesNotMatch(home, /<meta property="og:description" content="Test Blog">/);
  });
});
