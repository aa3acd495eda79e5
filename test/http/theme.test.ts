import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makePost, makeSite } from '../helpers/site.ts';
import { buildTestApp } from './harness.ts';

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
