/**
 * `/search` (issue #19) on posts that went through the real pipeline (front matter, Markdown,
 * render cache, site index): ranking, prefix and typo matches, `tag:` filters, drafts and
 * scheduled posts, pagination, bad input and escaping, and the OpenSearch description.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { Registry } from 'prom-client';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import type { Site } from '../../src/content/types.ts';
import { createLogger } from '../../src/log.ts';
import { createHttpMetrics, METRIC_PREFIX } from '../../src/metrics.ts';
import { loadTestSite, type PostSpec, tempDir, writePosts } from '../helpers/posts-dir.ts';
import { makePost, makeSite } from '../helpers/site.ts';
import { buildTestApp } from './harness.ts';

const LIVE_AT = new Date('2026-06-01T09:00:00Z');

async function siteOf(posts: Record<string, PostSpec>): Promise<Site> {
  const postsDir = await tempDir();
  await writePosts(postsDir, posts);
  const { site } = await loadTestSite({ postsDir, cacheDir: await tempDir() });
  return site;
}

const blog = () =>
  siteOf({
    'shutdown.md': {
      title: 'Graceful shutdown',
      date: '2026-03-01',
      extra: 'tags: [operations]',
      body: 'How a process stops: it drains the connections it has.\n',
    },
    'probes.md': {
      title: 'Readiness probes',
      date: '2026-04-01',
      extra: 'tags: [operations, kubernetes]',
      body: [
        'A probe asks the pod whether it is ready.',
        '',
        'During a shutdown the probe fails, then the shutdown waits, and only after the',
        'shutdown delay does the listener close. Every shutdown is the same shutdown.',
        '',
      ].join('\n'),
    },
    'themes.md': {
      title: 'Dark mode',
      date: '2026-02-01',
      extra: 'tags: [design]',
      body: 'Colours for the night, with *emphasis*.\n\n```ts\nconst shutdown = true;\n```\n',
    },
    'secret.md': {
      title: 'Unfinished thoughts',
      date: '2026-01-01',
      extra: 'draft: true\ntags: [operations]',
      body: 'The zeppelin plan, not for readers yet.\n',
    },
    'later.md': {
      title: 'Coming soon',
      date: LIVE_AT.toISOString(),
      extra: 'tags: [operations]',
      body: 'The zeppelin plan, live at nine.\n',
    },
  });

/** The result titles of a search page, in order. */
const titles = (html: string) =>
  [
    ...html.matchAll(
      /<article class="post-summary search-result">\s*<h2><a href="[^"]+">([^<]+)<\/a>/g,
    ),
  ].map((match) => match[1]);

async function search(app: TestApp['app'], q: string, extra = '') {
  const response = await app.inject({ url: `/search?q=${encodeURIComponent(q)}${extra}` });
  return { response, titles: titles(response.body) };
}
type TestApp = ReturnType<typeof buildTestApp>;

async function blogApp(t: TestContext, now = new Date('2026-05-01T00:00:00Z')) {
  return buildTestApp(t, { site: await blog(), now: () => now });
}

describe('search results', () => {
  it('rank a match in the title above matches in the body', async (t) => {
    const { app } = await blogApp(t);
    const { response, titles: found } = await search(app, 'shutdown');
    assert.equal(response.statusCode, 200);
    // "Readiness probes" says shutdown five times in its body; the title wins all the same.
    assert.deepEqual(found, ['Graceful shutdown', 'Readiness probes']);
    assert.match(response.body, /2 posts found\./);
  });

  it('show each post with its link, date and a snippet marking the matched words', async (t) => {
    const { app } = await blogApp(t);
    const { response } = await search(app, 'probe pod');
    const result = response.body.slice(
      response.body.indexOf('<article class="post-summary search-result">'),
    );
    assert.match(result, /<a href="\/posts\/probes">Readiness probes<\/a>/);
    assert.match(result, /<time datetime="2026-04-01">April 1, 2026<\/time>/);
    assert.match(
      result,
      /<p class="snippet">A <mark>probe<\/mark> asks the <mark>pod<\/mark> whether it is ready\./,
    );
  });

  it('match the beginning of a word and a word with a typo, and mark the word found', async (t) => {
    const { app } = await blogApp(t);
    for (const q of ['shutd', 'shutdwn']) {
      const { titles: found, response } = await search(app, q);
      assert.deepEqual(found, ['Graceful shutdown', 'Readiness probes'], q);
      assert.match(response.body, /the <mark>shutdown<\/mark> waits/, q);
    }
    assert.deepEqual((await search(app, 'grcaeful')).titles, ['Graceful shutdown']);
    const { response } = await search(app, 'drain conections');
    assert.match(response.body, /it <mark>drains<\/mark> the <mark>connections<\/mark> it has/);
  });

  it('need every word of the search', async (t) => {
    const { app } = await blogApp(t);
    assert.deepEqual((await search(app, 'shutdown listener')).titles, ['Readiness probes']);
    const none = await search(app, 'shutdown colours');
    assert.deepEqual(none.titles, []);
    assert.match(none.response.body, /No post matches this search\./);
  });

  it('leave code blocks out: only the prose of a post is searched', async (t) => {
    const { app } = await blogApp(t);
    assert.ok(!(await search(app, 'shutdown')).titles.includes('Dark mode'));
    assert.deepEqual((await search(app, 'emphasis')).titles, ['Dark mode']);
  });

  it('keep to the posts carrying every tag: given', async (t) => {
    const { app } = await blogApp(t);
    assert.deepEqual((await search(app, 'shutdown tag:kubernetes')).titles, ['Readiness probes']);
    assert.deepEqual((await search(app, 'tag:Operations tag:"kubernetes"')).titles, [
      'Readiness probes',
    ]);
    // Tags alone: every post with them, newest first.
    assert.deepEqual((await search(app, 'tag:operations')).titles, [
      'Readiness probes',
      'Graceful shutdown',
    ]);
    const unknown = await search(app, 'tag:operatons');
    assert.deepEqual(unknown.titles, []);
    assert.match(
      unknown.response.body,
      /No post is tagged “operatons”\. Did you mean <a href="\/search\?q=tag%3Aoperations">operations<\/a>\?/,
    );
  });

  it('never show a draft', async (t) => {
    const { app } = await blogApp(t, new Date('2027-01-01T00:00:00Z'));
    assert.deepEqual((await search(app, 'unfinished')).titles, []);
    assert.deepEqual((await search(app, 'zeppelin')).titles, ['Coming soon']);
  });

  it('show a scheduled post from the moment it is live, in the same process', async (t) => {
    let now = new Date(LIVE_AT.getTime() - 1000);
    const { app } = buildTestApp(t, { site: await blog(), now: () => now });
    assert.deepEqual((await search(app, 'zeppelin')).titles, []);
    assert.deepEqual((await search(app, 'tag:operations')).titles, [
      'Readiness probes',
      'Graceful shutdown',
    ]);
    now = LIVE_AT;
    assert.deepEqual((await search(app, 'zeppelin')).titles, ['Coming soon']);
    assert.equal((await search(app, 'tag:operations')).titles[0], 'Coming soon');
  });
});

describe('search pages', () => {
  it('are ten results long, with links to the next and previous ones', async (t) => {
    const posts: Record<string, PostSpec> = {};
    for (let n = 1; n <= 23; n++) {
      const day = String(n).padStart(2, '0');
      posts[`note-${n}.md`] = { title: `Note ${n}`, date: `2026-01-${day}`, body: 'A lantern.\n' };
    }
    const { app } = buildTestApp(t, { site: await siteOf(posts) });
    const first = await search(app, 'lantern');
    assert.equal(first.titles.length, 10);
    assert.match(first.response.body, /23 posts found\./);
    assert.match(first.response.body, /<ol class="post-list search-results" start="1">/);
    assert.match(first.response.body, /<a href="\/search\?q=lantern&amp;page=2" rel="next">/);
    assert.match(first.response.body, /Page 1 of 3/);

    const second = await search(app, 'lantern', '&page=2');
    assert.equal(second.response.statusCode, 200);
    assert.equal(second.titles.length, 10);
    assert.deepEqual(
      second.titles.filter((title) => first.titles.includes(title)),
      [],
    );
    assert.match(second.response.body, /<ol class="post-list search-results" start="11">/);
    assert.match(second.response.body, /<a href="\/search\?q=lantern" rel="prev">/);
    assert.match(second.response.body, /<title>Search: lantern · Page 2 · Test<\/title>/);

    const third = await search(app, 'lantern', '&page=3');
    assert.equal(third.titles.length, 3);
    assert.doesNotMatch(third.response.body, /rel="next"/);
    const seen = new Set([...first.titles, ...second.titles, ...third.titles]);
    assert.equal(seen.size, 23, 'every post once');

    assert.equal((await search(app, 'lantern', '&page=4')).response.statusCode, 404);
  });

  it('show the form alone for an empty search, kept out of search engines', async (t) => {
    const { app } = await blogApp(t);
    for (const url of ['/search', '/search?q=', '/search?q=%20%20']) {
      const response = await app.inject({ url });
      assert.equal(response.statusCode, 200, url);
      assert.match(response.body, /<form class="search-form" role="search" action="\/search"/);
      assert.match(response.body, /<label for="search-query">/);
      assert.doesNotMatch(response.body, /search-result|found|matches/, url);
      assert.match(response.body, /<meta name="robots" content="noindex">/);
      assert.doesNotMatch(response.body, /<link rel="canonical"/);
    }
    const answered = await search(app, 'probe');
    assert.match(
      answered.response.body,
      /<input type="search" id="search-query" name="q" value="probe"/,
    );
    assert.equal(
      answered.response.headers['cache-control'],
      'public, max-age=60, stale-while-revalidate=600',
    );
    const sitemap = await app.inject({ url: '/sitemap.xml' });
    assert.doesNotMatch(sitemap.body, /search/);
  });

  it('escape whatever the reader typed, and whatever a post says', async (t) => {
    const site = await siteOf({
      'markup.md': {
        title: 'Markup <b>in</b> titles',
        date: '2026-01-01',
        body: 'Write `<script>alert(1)</script>` to alert, or &lt;b&gt; for bold.\n',
      },
    });
    const { app } = buildTestApp(t, { site });
    const breakOut = await search(app, '"><img src=x onerror=alert(2)>');
    assert.deepEqual(breakOut.titles, []);
    assert.match(breakOut.response.body, /value="&quot;&gt;&lt;img src=x onerror=alert\(2\)&gt;"/);
    assert.match(breakOut.response.body, /<title>Search: &quot;&gt;&lt;img src=x/);
    assert.doesNotMatch(breakOut.response.body, /<img/);
    const { response, titles: found } = await search(app, '<script>alert(1)</script>');
    assert.equal(response.statusCode, 200);
    assert.deepEqual(found, ['Markup &lt;b&gt;in&lt;/b&gt; titles']);
    assert.doesNotMatch(response.body, /<script>|<b>/);
    assert.match(response.body, /value="&lt;script&gt;alert\(1\)&lt;\/script&gt;"/);
    assert.match(
      response.body,
      /&lt;<mark>script<\/mark>&gt;<mark>alert<\/mark>\(<mark>1<\/mark>\)&lt;\/<mark>script<\/mark>&gt;/,
    );
    assert.match(response.body, /or &lt;b&gt; for bold\./);
  });
});

describe('a search that cannot be answered', () => {
  const bad = {
    'is over 200 characters': `?q=${'a'.repeat(201)}`,
    'has a line break': '?q=quokka%0Awombat',
    'has a tab': '?q=quokka%09wombat',
    'has a NUL': '?q=quokka%00wombat',
    'has a DEL': '?q=quokka%7Fwombat',
    'gives q twice': '?q=quokka&q=wombat',
    'asks for page 0': '?q=quokka&page=0',
    'asks for page wombat': '?q=quokka&page=wombat',
  };
  for (const [what, query] of Object.entries(bad)) {
    it(`${what}: 400, the themed page saying why, the query not shown back`, async (t) => {
      const { app } = await blogApp(t);
      const response = await app.inject({ url: `/search${query}` });
      assert.equal(response.statusCode, 400);
      assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
      assert.equal(response.headers['cache-control'], 'no-store');
      assert.match(response.body, /<a class="site-title" href="\/">Test<\/a>/);
      assert.match(response.body, /<p class="search-problem" id="search-problem">[^<]+\.<\/p>/);
      assert.match(response.body, /name="q" value=""/);
      assert.doesNotMatch(response.body, /quokka|wombat|aaaa/);
    });
  }

  it('is JSON when the client prefers it', async (t) => {
    const { app } = await blogApp(t);
    const response = await app.inject({
      url: `/search?q=${'a'.repeat(201)}`,
      headers: { accept: 'application/json' },
    });
    assert.equal(response.statusCode, 400);
    assert.deepEqual(response.json(), {
      statusCode: 400,
      error: 'Bad Request',
      message: 'A search can be at most 200 characters long.',
      requestId: response.headers['x-request-id'],
    });
  });

  it('counts characters, not bytes: 200 letters of any script are fine', async (t) => {
    const { app } = await blogApp(t);
    const response = await app.inject({ url: `/search?q=${encodeURIComponent('é'.repeat(200))}` });
    assert.equal(response.statusCode, 200);
  });
});

describe('OpenSearch', () => {
  it('describes the search for browsers, and every page links to it', async (t) => {
    const site = makeSite([makePost({ slug: 'hello-world' })], {
      title: 'A & B, a very long blog title',
    });
    const { app } = buildTestApp(t, { site });
    const response = await app.inject({ url: '/opensearch.xml' });
    assert.equal(response.statusCode, 200);
    assert.equal(
      response.headers['content-type'],
      'application/opensearchdescription+xml; charset=utf-8',
    );
    assert.match(response.body, /<ShortName>A &amp; B, a very lo<\/ShortName>/);
    assert.match(
      response.body,
      /<Url type="text\/html" template="https:\/\/blog\.example\/search\?q=\{searchTerms\}"/,
    );
    for (const url of ['/', '/posts/hello-world', '/tags/', '/search', '/no-such-page']) {
      const page = await app.inject({ url });
      assert.match(
        page.body,
        /<link rel="search" type="application\/opensearchdescription\+xml" href="\/opensearch\.xml" title="[^"]+">/,
        url,
      );
    }
  });
});

describe('search metrics', () => {
  it('time each search in quire_search_duration_seconds', async (t) => {
    const registry = new Registry();
    const app = buildApp(loadConfig({}, []), await blog(), {
      logger: createLogger('silent'),
      metrics: createHttpMetrics(registry),
    });
    t.after(() => app.close());
    await app.inject({ url: '/search?q=shutdown' });
    await app.inject({ url: '/search?q=probe&page=1' });
    await app.inject({ url: '/search' }); // the form alone is no search
    const metric = await registry.getSingleMetric(`${METRIC_PREFIX}search_duration_seconds`)?.get();
    const count = metric?.values.find((value) =>
      (value as { metricName?: string }).metricName?.endsWith('_count'),
    );
    assert.equal(count?.value, 2);
  });
});
