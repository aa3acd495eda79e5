/**
 * The theme's markup (issues #3 and #19): landmarks, the header's menu and light/dark toggle,
 * list entries, the table of contents, code line numbers, older/newer links, the footer, and what
 * a draft or scheduled post's page says. How it looks and behaves in a browser is tested in
 * Chromium (test/system/browser/).
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { decodeHTML } from 'entities';
import { buildApp } from '../../src/app.ts';
import { DEFAULT_IMAGE_MAX_MB, loadConfig } from '../../src/config.ts';
import { createDevContent } from '../../src/dev/content.ts';
import { createDevSession } from '../../src/dev/session.ts';
import { DEFAULT_MENU } from '../../src/http/pages/site-meta.ts';
import { createLogger } from '../../src/log.ts';
import { loadTestSite, tempDir, writePosts } from '../helpers/posts-dir.ts';
import { makePost, makeSite } from '../helpers/site.ts';
import { buildTestApp, EMPTY_SITE_FILE } from './harness.ts';

/** The element with this opening tag's start, up to its closing tag (no nesting of the same). */
function element(html: string, opening: RegExp, name: string): string {
  const start = html.search(opening);
  assert.ok(start >= 0, `no ${String(opening)}`);
  const end = html.indexOf(`</${name}>`, start);
  return html.slice(start, end + name.length + 3);
}

/** Text content, tags dropped and whitespace collapsed. */
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/** A site of real posts (the Markdown pipeline), served by the app with `env`. */
async function appOfPosts(
  t: TestContext,
  posts: Parameters<typeof writePosts>[1],
  env: Record<string, string> = {},
) {
  const postsDir = await tempDir();
  await writePosts(postsDir, posts);
  const { site } = await loadTestSite({ postsDir, cacheDir: await tempDir() });
  return buildTestApp(t, { site, env }).app;
}

describe('page markup', () => {
  it('has landmarks, a skip link to main and a labelled site navigation', async (t) => {
    const { app } = buildTestApp(t);
    for (const url of ['/', '/posts/hello-world', '/no-such-page']) {
      const html = (await app.inject({ url })).body;
      assert.match(html, /<body>\s*<a class="skip-link" href="#main">Skip to content<\/a>/, url);
      assert.match(html, /<header class="site-header">/, url);
      assert.match(html, /<nav class="site-nav" aria-label="Site">/, url);
      assert.match(html, /<main id="main"[^>]*>/, url);
      assert.match(html, /<footer class="site-footer">/, url);
    }
  });

  it('has the site title and the default menu in the header, on every page', async (t) => {
    const { app } = buildTestApp(t);
    for (const url of ['/', '/posts/hello-world', '/tags/', '/no-such-page']) {
      const header = element(
        (await app.inject({ url })).body,
        /<header class="site-header">/,
        'header',
      );
      assert.match(header, /<a class="site-title" href="\/">Test Blog<\/a>/, url);
      const items = [...header.matchAll(/<li><a href="([^"]+)"[^>]*>([^<]+)<\/a><\/li>/g)];
      assert.deepEqual(
        items.map((m) => [m[2], m[1]]),
        [
          ['Posts', '/'],
          ['Tags', '/tags/'],
          ['Archive', '/archive/'],
          ['Search', '/search'],
          ['Feed', '/feed.xml'],
        ],
        url,
      );
    }
    // One list, in one place: what the header shows is the site's menu.
    assert.deepEqual(
      DEFAULT_MENU.map((item) => item.label),
      ['Posts', 'Tags', 'Archive', 'Search', 'Feed'],
    );
  });

  it('marks the current page in the navigation', async (t) => {
    const { app } = buildTestApp(t);
    for (const [url, current] of [
      ['/', 'Posts'],
      ['/tags/', 'Tags'],
      ['/archive/', 'Archive'],
    ]) {
      const html = (await app.inject({ url })).body;
      const marked = [...html.matchAll(/<a href="[^"]+" aria-current="page">([^<]+)<\/a>/g)];
      assert.deepEqual(
        marked.map((m) => m[1]),
        [current],
        url,
      );
    }
    assert.doesNotMatch((await app.inject({ url: '/posts/hello-world' })).body, /aria-current/);
  });

  it('has a light/dark toggle whose script runs before the stylesheet, undeferred', async (t) => {
    const { app } = buildTestApp(t);
    const html = (await app.inject({ url: '/posts/hello-world' })).body;
    const head = element(html, /<head>/, 'head');
    const script = head.search(/<script src="\/assets\/theme\.[0-9a-f]{10}\.js"><\/script>/);
    const stylesheet = head.search(/<link rel="stylesheet"/);
    assert.ok(script > 0 && script < stylesheet, 'theme.js, not deferred, before the stylesheet');
    const toggle = element(html, /<button type="button" class="theme-toggle"/, 'button');
    assert.match(toggle, /aria-pressed="false"/);
    assert.equal(text(toggle), 'Dark theme', 'its accessible name');
    assert.ok(html.indexOf(toggle) < html.indexOf('<main'), 'in the header');
  });

  it('shows a table of contents for a post with three or more sections, linking to them', async (t) => {
    const long = makePost({
      slug: 'long',
      title: 'Long',
      html: '<h2 id="one">One</h2><h3 id="one-a">One &amp; a</h3><h2 id="two">Two</h2>',
      headings: [
        { depth: 2, id: 'one', text: 'One' },
        { depth: 3, id: 'one-a', text: 'One & a' },
        { depth: 2, id: 'two', text: 'Two' },
      ],
    });
    const short = makePost({
      slug: 'short',
      headings: [
        { depth: 2, id: 'one', text: 'One' },
        { depth: 2, id: 'two', text: 'Two' },
      ],
    });
    const { app } = buildTestApp(t, { site: makeSite([long, short]) });
    const html = (await app.inject({ url: '/posts/long' })).body;
    const toc = /<nav class="toc" aria-label="Table of contents">([\s\S]*?)<\/nav>/.exec(html)?.[1];
    assert.ok(toc, 'a table of contents');
    const links = [...toc.matchAll(/<a href="#([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[1], m[2]]);
    assert.deepEqual(links, [
      ['one', 'One'],
      ['one-a', 'One &amp; a'],
      ['two', 'Two'],
    ]);
    assert.match(toc, /One<\/a>\s*<ol>\s*<li><a href="#one-a">/, 'h3 nested under its h2');
    assert.ok(html.indexOf('class="toc"') < html.indexOf('class="post-body"'), 'before the text');
    assert.doesNotMatch((await app.inject({ url: '/posts/short' })).body, /class="toc"/);
  });

  it('puts the table of contents in a closed <details>, which phones keep closed', async (t) => {
    const headings = ['a', 'b', 'c'].map((id) => ({ depth: 2, id, text: id.toUpperCase() }));
    const { app } = buildTestApp(t, { site: makeSite([makePost({ slug: 'p', headings })]) });
    const toc = element((await app.inject({ url: '/posts/p' })).body, /<nav class="toc"/, 'nav');
    // Closed in the markup: wide screens open it with CSS alone (tested in Chromium).
    assert.match(
      toc,
      /<details>\s*<summary>Contents<\/summary>\s*<h2 class="toc-title">Contents<\/h2>\s*<ol>/,
    );
  });
});

describe('lists of posts', () => {
  it('give each entry its title, date, reading time, summary and tag links', async (t) => {
    const site = makeSite([
      makePost({
        slug: 'tagged',
        title: 'Tagged & titled',
        date: new Date('2026-04-02T00:00:00Z'),
        readingMinutes: 7,
        summary: 'What it is about.',
        tags: ['go', 'c sharp'],
      }),
      makePost({ slug: 'bare', title: 'Bare', tags: [] }),
    ]);
    const { app } = buildTestApp(t, { site });
    for (const url of ['/', '/tags/go']) {
      const html = (await app.inject({ url })).body;
      const entry = element(html, /<article class="post-entry">/, 'article');
      assert.match(
        entry,
        /<h2 class="post-entry-title"><a href="\/posts\/tagged">Tagged &amp; titled<\/a><\/h2>/,
        url,
      );
      assert.match(entry, /<time datetime="2026-04-02">April 2, 2026<\/time>\s*· 7 min read/, url);
      assert.match(entry, /<p class="post-entry-summary">What it is about\.<\/p>/, url);
      const tags = [...entry.matchAll(/<a href="([^"]+)" rel="tag">([^<]+)<\/a>/g)];
      assert.deepEqual(
        tags.map((m) => [m[2], m[1]]),
        [
          ['go', '/tags/go'],
          ['c sharp', '/tags/c%20sharp'],
        ],
        url,
      );
    }
    const bare = element(
      (await app.inject({ url: '/' })).body.split('/posts/bare')[1] ?? '',
      /<p class="meta">/,
      'article',
    );
    assert.doesNotMatch(bare, /class="tags"/, 'no empty tag list');
  });
});

describe('code line numbers', () => {
  const posts = {
    'code.md': {
      title: 'Code',
      body: '```ts {lineNumbers}\nlet a = 1;\n```\n\n```ts\nlet b = 2;\n```\n\n```ts {lineNumbers=false}\nlet c = 3;\n```\n',
    },
  };
  const blockClasses = (html: string) =>
    [...html.matchAll(/<div class="(code-block[^"]*)">/g)].map((m) => m[1]);
  const bodyClass = (html: string) => /<div class="(post-body[^"]*)">/.exec(html)?.[1];

  it('numbers the blocks whose fence asks for it; the others follow CODE_LINE_NUMBERS, off by default', async (t) => {
    const html = (await (await appOfPosts(t, posts)).inject({ url: '/posts/code' })).body;
    assert.deepEqual(blockClasses(html), [
      'code-block line-numbers',
      'code-block',
      'code-block no-line-numbers',
    ]);
    assert.equal(bodyClass(html), 'post-body');
  });

  it('with CODE_LINE_NUMBERS=true numbers every block but one whose fence says false', async (t) => {
    const app = await appOfPosts(t, posts, { CODE_LINE_NUMBERS: 'true' });
    const html = (await app.inject({ url: '/posts/code' })).body;
    assert.equal(bodyClass(html), 'post-body line-numbers');
    assert.deepEqual(blockClasses(html), [
      'code-block line-numbers',
      'code-block',
      'code-block no-line-numbers',
    ]);
  });

  it('never puts the numbers in the code: its text is the code as written', async (t) => {
    const app = await appOfPosts(t, posts, { CODE_LINE_NUMBERS: 'true' });
    const html = (await app.inject({ url: '/posts/code' })).body;
    const codes = [...html.matchAll(/<code>([\s\S]*?)<\/code>/g)].map((m) =>
      decodeHTML((m[1] ?? '').replace(/<[^>]+>/g, '')),
    );
    assert.deepEqual(codes, ['let a = 1;', 'let b = 2;', 'let c = 3;']);
  });
});

describe('older and newer posts', () => {
  it('link with an arrow hidden from screen readers, the direction and the title', async (t) => {
    const site = makeSite([
      makePost({ slug: 'old', title: 'Old one', date: new Date('2026-01-01T00:00:00Z') }),
      makePost({ slug: 'mid', title: 'Middle', date: new Date('2026-01-02T00:00:00Z') }),
      makePost({ slug: 'new', title: 'New one', date: new Date('2026-01-03T00:00:00Z') }),
    ]);
    const { app } = buildTestApp(t, { site });
    const nav = element(
      (await app.inject({ url: '/posts/mid' })).body,
      /<nav class="post-nav"/,
      'nav',
    );
    assert.match(nav, /aria-label="Older and newer posts"/);
    const links = [...nav.matchAll(/<a [^>]*href="([^"]+)" rel="(prev|next)">([\s\S]*?)<\/a>/g)];
    assert.deepEqual(
      links.map((m) => [m[1], m[2], text(m[3] ?? '')]),
      [
        ['/posts/old', 'prev', '← Older Old one'],
        ['/posts/new', 'next', 'Newer → New one'],
      ],
    );
    for (const arrow of ['←', '→']) {
      assert.match(nav, new RegExp(`<span aria-hidden="true">\\s*${arrow}\\s*</span>`), arrow);
    }
  });
});

describe('the footer', () => {
  const footerText = async (t: TestContext, env: Record<string, string>) => {
    // As at a start: the site's title is the configured one.
    const site = makeSite([], { title: env.SITE_TITLE ?? 'Quire' });
    const { app } = buildTestApp(t, { env, site });
    const html = (await app.inject({ url: '/' })).body;
    return text(element(html, /<footer class="site-footer">/, 'footer'));
  };

  it('names Quire once, and the author when one is set apart from the title', async (t) => {
    assert.equal(await footerText(t, { SITE_TITLE: 'Quire' }), 'Published with Quire');
    assert.equal(
      await footerText(t, { SITE_TITLE: 'Notes', SITE_AUTHOR: 'Ada Lovelace' }),
      'Ada Lovelace · Published with Quire',
    );
    // The title is the header's; the author defaults to it and is not said twice.
    assert.equal(await footerText(t, { SITE_TITLE: 'Notes' }), 'Published with Quire');
  });
});

describe('drafts and scheduled posts in the dev server', () => {
  it('say "Draft" or "Scheduled for <date>" where a published post says "Published"', async (t) => {
    const postsDir = await tempDir();
    await writePosts(postsDir, {
      'live.md': { title: 'Live', date: '2026-01-01' },
      'wip.md': { title: 'Work in progress', date: '2026-01-02', extra: 'draft: true' },
      'later.md': { title: 'Later', date: '2099-03-04' },
    });
    const content = createDevContent({
      postsDir,
      cacheDir: await tempDir(),
      imageMaxMb: DEFAULT_IMAGE_MAX_MB,
      title: 'Quire',
      url: 'https://blog.example',
      siteFile: EMPTY_SITE_FILE,
      siteFileProblems: [],
    });
    await content.load();
    const logger = createLogger('silent');
    const session = createDevSession(content, logger, () => {});
    const app = buildApp(loadConfig({ SITE_FILE: EMPTY_SITE_FILE }, []), content.site(), {
      logger,
      dev: session.hooks,
    });
    t.after(() => app.close());
    const meta = async (url: string) =>
      text(element((await app.inject({ url })).body, /<p class="meta">/, 'p'));
    assert.equal(await meta('/posts/live'), 'Published January 1, 2026 · 1 min read');
    assert.equal(await meta('/posts/wip'), 'Draft dated January 2, 2026 · 1 min read');
    assert.equal(await meta('/posts/later'), 'Scheduled for March 4, 2099 · 1 min read');
    const later = (await app.inject({ url: '/posts/later' })).body;
    assert.match(
      later,
      /<strong class="dev-badge">Scheduled<\/strong> for <time datetime="2099-03-04">/,
    );
  });
});
