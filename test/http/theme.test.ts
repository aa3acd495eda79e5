import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { decodeHTML } from 'entities';
import { loadTestSite, tempDir, writePosts } from '../helpers/posts-dir.ts';
import { makePost, makeSite } from '../helpers/site.ts';
import { buildTestApp } from './harness.ts';

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

  it('marks the current page in the navigation', async (t) => {
    const { app } = buildTestApp(t);
    assert.match((await app.inject({ url: '/' })).body, /<a href="\/" aria-current="page">Posts/);
    assert.doesNotMatch((await app.inject({ url: '/posts/hello-world' })).body, /aria-current/);
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
