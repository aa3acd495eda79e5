/**
 * What readers and their tools get from issue #18 over HTTP: standalone pages (served, redirected,
 * in the sitemap, in no list or feed), the site file's menu, social links and authors on every
 * page, and a post's description, authors and canonical URL in its head, its byline, its JSON-LD
 * and each feed format. Real posts, pages and site file through the real pipeline.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { loadTestSite, tempDir, writePosts } from '../helpers/posts-dir.ts';
import { buildTestApp } from './harness.ts';

const SITE_FILE = `title: Field notes
authors:
  ada:
    name: Ada Lindqvist
    url: https://ada.example/
    avatar: /images/ada.png
  sam:
    name: Sam Okafor
menu:
  - label: About
    url: /about/
    order: 2
  - label: Home
    url: /
    order: 1
social:
  - label: Mastodon
    url: https://mastodon.example/@notes
`;

/** A blog with posts, pages and a site file; the app serving it at a moment after every post. */
async function blog(t: TestContext, env: Record<string, string> = {}) {
  const root = await tempDir();
  const postsDir = join(root, 'posts');
  const pagesDir = join(root, 'pages');
  await mkdir(postsDir);
  await mkdir(pagesDir);
  await writePosts(postsDir, {
    'solo.md': {
      title: 'Solo',
      date: '2026-03-01',
      extra:
        'authors: [sam]\ndescription: What search engines show.\nsummary: What lists show.\ncanonical: https://elsewhere.example/solo',
      body: 'First paragraph of solo.\n',
    },
    'pair.md': { title: 'Pair', date: '2026-02-01', extra: 'authors: [ada, sam]' },
    'nobody.md': { title: 'Nobody', date: '2026-01-01', body: 'Just text.\n' },
  });
  await writePosts(pagesDir, {
    'about.md': '---\ntitle: About us\n---\nWe write *here*.\n',
    'wip.md': '---\ntitle: Not yet\ndraft: true\n---\nSoon.\n',
  });
  const siteFile = join(root, 'quire.yaml');
  await writeFile(siteFile, SITE_FILE);
  const cacheDir = join(root, 'cache');
  const { site } = await loadTestSite({ postsDir, pagesDir, cacheDir, title: 'Field notes' });
  const { app } = buildTestApp(t, {
    site,
    env: { SITE_FILE: siteFile, ...env },
    now: () => new Date('2026-06-01T00:00:00Z'),
  });
  return app;
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' });

describe('standalone pages over HTTP', () => {
  it('serves a page at /<slug>/ with its own template, and redirects /<slug> to it', async (t) => {
    const app = await blog(t);
    const page = await app.inject('/about/');
    assert.equal(page.statusCode, 200);
    assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
    assert.match(page.body, /<title>About us · Field notes<\/title>/);
    assert.match(page.body, /<h1>About us<\/h1>/);
    assert.match(page.body, /<p>We write <em>here<\/em>.<\/p>/);
    assert.match(page.body, /<meta name="description" content="We write here.">/);
    assert.match(page.body, /<link rel="canonical" href="https:\/\/blog.example\/about\/">/);
    assert.doesNotMatch(page.body, /<time|rel="tag"|Older:|Newer:/, 'no date, tags or neighbours');
    assert.equal(page.headers['last-modified'], undefined, 'undated');
    assert.match(String(page.headers.etag), /^"/);

    const moved = await app.inject('/about?ref=menu');
    assert.equal(moved.statusCode, 301);
    assert.equal(moved.headers.location, '/about/?ref=menu');
    assert.equal((await app.inject({ method: 'HEAD', url: '/about/' })).statusCode, 200);
  });

  it('answers 404 for a draft page, a name that is no page, and suggests the nearest page', async (t) => {
    const app = await blog(t);
    for (const path of ['/wip/', '/wip', '/nothing/', '/nothing']) {
      assert.equal((await app.inject(path)).statusCode, 404, path);
    }
    const typo = await app.inject('/abuot/');
    assert.equal(typo.statusCode, 404);
    assert.match(typo.body, /Did you mean <a href="\/about\/">About us<\/a>\?/);
  });

  it('keeps one form per address (#19) beside the pages: the site’s own routes still redirect', async (t) => {
    const app = await blog(t);
    const otherForms: [string, string][] = [
      ['/search/', '/search'],
      ['/opensearch.xml/', '/opensearch.xml'],
      ['/sitemap.xml/', '/sitemap.xml'],
      ['/tags', '/tags/'],
      ['/archive', '/archive/'],
    ];
    for (const [path, location] of otherForms) {
      const moved = await app.inject(path);
      assert.equal(moved.statusCode, 301, path);
      assert.equal(moved.headers.location, location, path);
    }
    const post = await app.inject({ method: 'POST', url: '/about/' });
    assert.equal(post.statusCode, 405, 'a page lives there');
    assert.equal(post.headers.allow, 'GET, HEAD');
    for (const path of ['/nothing/', '/wip/'])
      assert.equal((await app.inject({ method: 'POST', url: path })).statusCode, 404, path);
  });

  it('lists pages in the sitemap only: not on the index, in the archive or in a feed', async (t) => {
    const app = await blog(t);
    const sitemap = parser.parse((await app.inject('/sitemap.xml')).body);
    const locs = sitemap.urlset.url.map((url: { loc: string }) => url.loc);
    assert.ok(locs.includes('https://blog.example/about/'));
    assert.ok(!locs.includes('https://blog.example/wip/'), 'not a draft');
    for (const path of ['/', '/archive/', '/tags/', '/feed.xml', '/rss.xml', '/feed.json']) {
      assert.doesNotMatch((await app.inject(path)).body, /About us|We write/, path);
    }
  });
});

describe('the site file on every page', () => {
  it('shows its menu in order, marking the current page, and its social links in the footer', async (t) => {
    const app = await blog(t);
    const about = (await app.inject('/about/')).body;
    const nav = /<nav class="site-nav"[\s\S]*?<\/nav>/.exec(about)?.[0] ?? '';
    assert.deepEqual(
      [...nav.matchAll(/<a href="([^"]+)"( aria-current="page")?>([^<]+)<\/a>/g)].map((m) => [
        m[1],
        Boolean(m[2]),
        m[3],
      ]),
      [
        ['/', false, 'Home'],
        ['/about/', true, 'About'],
      ],
    );
    assert.match(
      about,
      /<footer[\s\S]*<a href="https:\/\/mastodon.example\/@notes" rel="me">Mastodon<\/a>/,
    );
  });

  it('keeps the theme’s menu and no social links without a site file', async (t) => {
    const root = await tempDir();
    await mkdir(join(root, 'posts'));
    await writePosts(join(root, 'posts'), { 'a.md': { title: 'A' } });
    const { site } = await loadTestSite({ postsDir: join(root, 'posts'), cacheDir: root });
    const { app } = buildTestApp(t, { site });
    const index = (await app.inject('/')).body;
    assert.match(index, /<a href="\/tags\/">Tags<\/a>/);
    assert.doesNotMatch(index, /social-links|class="byline"/);
  });
});

describe('description, authors and canonical of a post', () => {
  it('puts the description in the head and JSON-LD, the summary in lists, and points canonical at the original', async (t) => {
    const app = await blog(t);
    const solo = (await app.inject('/posts/solo')).body;
    assert.match(solo, /<meta name="description" content="What search engines show.">/);
    assert.match(solo, /<meta property="og:description" content="What search engines show.">/);
    assert.match(solo, /<link rel="canonical" href="https:\/\/elsewhere.example\/solo">/);
    assert.match(solo, /<meta property="og:url" content="https:\/\/elsewhere.example\/solo">/);
    const jsonLd = JSON.parse(
      /<script type="application\/ld\+json">(.*?)<\/script>/.exec(solo)?.[1] ?? '',
    );
    assert.equal(jsonLd.description, 'What search engines show.');
    assert.equal(jsonLd.url, 'https://elsewhere.example/solo');
    assert.deepEqual(jsonLd.author, { '@type': 'Person', name: 'Sam Okafor' });
    assert.match(
      (await app.inject('/')).body,
      /<p class="post-entry-summary">What lists show.<\/p>/,
    );
    const pair = (await app.inject('/posts/pair')).body;
    assert.match(pair, /<link rel="canonical" href="https:\/\/blog.example\/posts\/pair">/);
  });

  it('shows a byline: the post’s authors linked, else the first author of the site file', async (t) => {
    const app = await blog(t);
    const byline = async (slug: string) =>
      /<p class="byline">(.*?)<\/p>/.exec((await app.inject(`/posts/${slug}`)).body)?.[1];
    assert.equal(
      await byline('pair'),
      'By <a href="https://ada.example/" rel="author">Ada Lindqvist</a> and Sam Okafor',
    );
    assert.equal(await byline('solo'), 'By Sam Okafor');
    assert.equal(
      await byline('nobody'),
      'By <a href="https://ada.example/" rel="author">Ada Lindqvist</a>',
    );
    const jsonLd = JSON.parse(
      /<script type="application\/ld\+json">(.*?)<\/script>/.exec(
        (await app.inject('/posts/pair')).body,
      )?.[1] ?? '',
    );
    assert.deepEqual(jsonLd.author, [
      {
        '@type': 'Person',
        name: 'Ada Lindqvist',
        url: 'https://ada.example/',
        image: 'https://blog.example/images/ada.png',
      },
      { '@type': 'Person', name: 'Sam Okafor' },
    ]);
  });

  it('SITE_AUTHOR names the author of posts that name none, over the site file', async (t) => {
    const app = await blog(t, { SITE_AUTHOR: 'Carol' });
    assert.match((await app.inject('/posts/nobody')).body, /<p class="byline">By Carol<\/p>/);
  });

  it('names each author in each feed format, with the description as the summary', async (t) => {
    const app = await blog(t);
    const atom = parser.parse((await app.inject('/feed.xml')).body).feed.entry;
    const pairAtom = atom.find(
      (entry: { title: { '#text': string } }) => entry.title['#text'] === 'Pair',
    );
    assert.deepEqual(pairAtom.author, [
      { name: 'Ada Lindqvist', uri: 'https://ada.example/' },
      { name: 'Sam Okafor' },
    ]);
    const soloAtom = atom.find(
      (entry: { title: { '#text': string } }) => entry.title['#text'] === 'Solo',
    );
    assert.equal(soloAtom.summary['#text'] ?? soloAtom.summary, 'What search engines show.');
    assert.equal(soloAtom.link['@_href'], 'https://blog.example/posts/solo', 'the post here');

    const rss = parser.parse((await app.inject('/rss.xml')).body).rss.channel.item;
    const pairRss = rss.find((item: { title: string }) => item.title === 'Pair');
    assert.deepEqual(pairRss['dc:creator'], ['Ada Lindqvist', 'Sam Okafor']);
    assert.equal(pairRss.author, undefined, 'RSS <author> must be an email address');
    assert.equal(
      rss.find((item: { title: string }) => item.title === 'Solo').description,
      'What search engines show.',
    );

    const json = JSON.parse((await app.inject('/feed.json')).body);
    assert.equal(json.version, 'https://jsonfeed.org/version/1.1');
    assert.equal(json.language, 'en');
    assert.deepEqual(json.authors, [{ name: 'Ada Lindqvist', url: 'https://blog.example/' }]);
    const pairJson = json.items.find((item: { title: string }) => item.title === 'Pair');
    assert.deepEqual(pairJson.authors, [
      {
        name: 'Ada Lindqvist',
        url: 'https://ada.example/',
        avatar: 'https://blog.example/images/ada.png',
      },
      { name: 'Sam Okafor' },
    ]);
    assert.equal(
      json.items.find((item: { title: string }) => item.title === 'Solo').summary,
      'What search engines show.',
    );
  });
});
