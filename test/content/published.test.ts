import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { absoluteUrls } from '../../src/content/markdown/absolute-urls.ts';
import { pageOf, parsePageNumber } from '../../src/content/site/pagination.ts';
import {
  lastChanged,
  neighbours,
  publishedView,
  relatedPosts,
} from '../../src/content/site/published.ts';
import { makePost, makeSite } from '../helpers/site.ts';

const at = (iso: string) => new Date(iso);
const slugs = (posts: readonly { slug: string }[]) => posts.map((post) => post.slug);

function scheduledSite() {
  return makeSite([
    makePost({ slug: 'old', date: at('2025-06-01T00:00:00Z'), tags: ['a', 'b'] }),
    makePost({ slug: 'mid', date: at('2026-01-01T00:00:00Z'), tags: ['a'] }),
    makePost({ slug: 'soon', date: at('2026-02-01T12:00:00Z'), tags: ['a', 'c'] }),
    makePost({ slug: 'later', date: at('2026-03-01T00:00:00Z'), tags: ['c'], aliases: ['l'] }),
    makePost({ slug: 'draft', date: at('2025-01-01T00:00:00Z'), tags: ['d'], draft: true }),
  ]);
}

describe('publishedView', () => {
  it('keeps only posts dated at or before now, never drafts, newest first', () => {
    const view = publishedView(scheduledSite(), at('2026-02-01T12:00:00Z'));
    assert.deepEqual(slugs(view.posts), ['soon', 'mid', 'old']);
    assert.equal(view.bySlug.has('later'), false);
    assert.equal(view.bySlug.has('draft'), false);
    assert.deepEqual(slugs(publishedView(scheduledSite(), at('2026-02-01T11:59:59Z')).posts), [
      'mid',
      'old',
    ]);
  });

  it('knows when it stops being true: the next scheduled post, drafts aside', () => {
    const site = scheduledSite();
    assert.deepEqual(
      publishedView(site, at('2026-01-15T00:00:00Z')).nextChange,
      at('2026-02-01T12:00:00Z'),
    );
    assert.deepEqual(
      publishedView(site, at('2026-02-10T00:00:00Z')).nextChange,
      at('2026-03-01T00:00:00Z'),
    );
    assert.equal(publishedView(site, at('2027-01-01T00:00:00Z')).nextChange, undefined);
  });

  it('lists tags of published posts only, in name order, with their posts newest first', () => {
    const view = publishedView(scheduledSite(), at('2026-01-15T00:00:00Z'));
    assert.deepEqual([...view.tags.keys()], ['a', 'b']);
    assert.deepEqual(slugs(view.tags.get('a')?.posts ?? []), ['mid', 'old']);
  });

  it('groups posts by year, newest first', () => {
    const view = publishedView(scheduledSite(), at('2026-12-01T00:00:00Z'));
    assert.deepEqual(
      view.years.map((group) => [group.year, slugs(group.posts)]),
      [
        [2026, ['later', 'soon', 'mid']],
        [2025, ['old']],
      ],
    );
  });

  it('redirects aliases and file names of published posts; a live slug always wins', () => {
    const site = makeSite([
      makePost({ slug: 'new-name', file: 'posts/old-name.md', aliases: ['older-name', 'taken'] }),
      makePost({ slug: 'taken' }),
      makePost({ slug: 'same', file: 'posts/sub/same.md' }),
      makePost({
        slug: 'future',
        file: 'posts/future-file.md',
        aliases: ['future-alias'],
        date: at('2030-01-01T00:00:00Z'),
      }),
    ]);
    const view = publishedView(site, at('2026-06-01T00:00:00Z'));
    assert.deepEqual(Object.fromEntries(view.redirects), {
      'old-name': 'new-name',
      'older-name': 'new-name',
    });
  });

  it('gives neighbours and related posts within the view only', () => {
    const before = publishedView(scheduledSite(), at('2026-01-15T00:00:00Z'));
    const mid = before.bySlug.get('mid');
    assert.ok(mid);
    assert.equal(neighbours(before, mid).newer, undefined, 'the scheduled post is not a neighbour');
    assert.equal(neighbours(before, mid).older?.slug, 'old');
    assert.deepEqual(slugs(relatedPosts(before, mid)), ['old']);

    const after = publishedView(scheduledSite(), at('2026-02-02T00:00:00Z'));
    const midAfter = after.bySlug.get('mid');
    assert.ok(midAfter);
    assert.equal(neighbours(after, midAfter).newer?.slug, 'soon');
    // old shares a and b with... only "a" with mid; soon shares "a" too and is newer
    assert.deepEqual(slugs(relatedPosts(after, midAfter)), ['soon', 'old']);
  });

  it('orders related posts by shared tags, then newest, and never lists unrelated ones', () => {
    const site = makeSite([
      makePost({ slug: 'p', tags: ['x', 'y', 'z'], date: at('2026-01-01T00:00:00Z') }),
      makePost({ slug: 'two', tags: ['x', 'y'], date: at('2025-01-01T00:00:00Z') }),
      makePost({ slug: 'one-new', tags: ['z'], date: at('2025-12-01T00:00:00Z') }),
      makePost({ slug: 'one-old', tags: ['x'], date: at('2025-02-01T00:00:00Z') }),
      makePost({ slug: 'none', tags: ['w'], date: at('2025-12-31T00:00:00Z') }),
    ]);
    const view = publishedView(site, at('2026-06-01T00:00:00Z'));
    const p = view.bySlug.get('p');
    assert.ok(p);
    assert.deepEqual(slugs(relatedPosts(view, p)), ['two', 'one-new', 'one-old']);
    assert.deepEqual(slugs(relatedPosts(view, p, 1)), ['two']);
  });

  it('dates a group of posts by its newest publication or update', () => {
    const a = makePost({ date: at('2026-01-01T00:00:00Z'), updated: at('2026-04-01T00:00:00Z') });
    const b = makePost({ date: at('2026-03-01T00:00:00Z') });
    assert.deepEqual(lastChanged([a, b]), at('2026-04-01T00:00:00Z'));
    assert.deepEqual(lastChanged([b, undefined]), at('2026-03-01T00:00:00Z'));
    assert.equal(lastChanged([]), undefined);
  });
});

describe('pagination', () => {
  it('splits into pages of the given size, with one empty page for nothing', () => {
    assert.deepEqual(
      [1, 2, 3, 4].map((page) => pageOf([1, 2, 3, 4, 5], 2, page)),
      [
        { items: [1, 2], page: 1, pages: 3 },
        { items: [3, 4], page: 2, pages: 3 },
        { items: [5], page: 3, pages: 3 },
        undefined,
      ],
    );
    assert.deepEqual(pageOf([], 10, 1), { items: [], page: 1, pages: 1 });
    assert.equal(pageOf([1], 10, 0), undefined);
  });

  it('accepts only canonical page numbers', () => {
    assert.equal(parsePageNumber('2'), 2);
    assert.equal(parsePageNumber('999999'), 999999);
    for (const bad of ['0', '01', '-1', '1.5', 'abc', '', ' 2', '1e3', '99999999999999999999']) {
      assert.equal(parsePageNumber(bad), undefined, bad);
    }
  });
});

describe('absoluteUrls', () => {
  const base = 'https://blog.example/posts/hello';

  it('makes links, images, srcsets and fragments absolute and keeps absolute URLs', () => {
    const html =
      '<p><a href="/posts/other">o</a> <a href="#fn-1">1</a> <a href="https://x.example/a?b=1&amp;c=2">x</a> <a href="mailto:me@example.com">m</a></p>' +
      '<img src="img/a.png" srcset="img/a.png 1x, /img/a@2x.png 2x" alt="A">';
    const out = absoluteUrls(html, base, 'https://blog.example');
    assert.ok(out.includes('href="https://blog.example/posts/other"'), out);
    assert.ok(out.includes('href="https://blog.example/posts/hello#fn-1"'), out);
    assert.ok(out.includes('href="https://x.example/a?b=1&amp;c=2"'), out);
    assert.ok(out.includes('href="mailto:me@example.com"'), out);
    assert.ok(out.includes('src="https://blog.example/posts/img/a.png"'), out);
    assert.ok(
      out.includes(
        'srcset="https://blog.example/posts/img/a.png 1x, https://blog.example/img/a@2x.png 2x"',
      ),
      out,
    );
  });

  it('resolves root-relative links under a SITE_URL with a path', () => {
    const out = absoluteUrls(
      '<a href="/posts/x">x</a><a href="y">y</a><a href="//cdn.example/z">z</a>',
      'https://example.org/blog/posts/hello',
      'https://example.org/blog',
    );
    assert.ok(out.includes('href="https://example.org/blog/posts/x"'), out);
    assert.ok(out.includes('href="https://example.org/blog/posts/y"'), out);
    assert.ok(out.includes('href="https://cdn.example/z"'), out);
  });

  it('leaves text that looks like an attribute alone, and keeps highlighting styles', () => {
    const html =
      '<pre class="shiki" style="--shiki-light:#000"><code><span style="--shiki-dark:#fff">&lt;a href="/x"&gt;</span></code></pre>';
    const out = absoluteUrls(html, base, 'https://blog.example');
    assert.ok(
      out.includes('&lt;a href="/x"&gt;') || out.includes('&lt;a href=&quot;/x&quot;&gt;'),
      out,
    );
    assert.ok(out.includes('style="--shiki-dark:#fff"'), out);
    assert.ok(out.includes('class="shiki"'), out);
  });

  it('writes the void elements a body may hold as they came, without an end tag', () => {
    const html =
      '<p><code>a/<wbr />b</code><br /></p><picture><source srcset="/a.avif" type="image/avif" /><img src="/a.png" alt="" /></picture>' +
      '<table><colgroup><col span="2" /></colgroup></table><hr /><input type="checkbox" disabled="" />';
    const out = absoluteUrls(html, base, 'https://blog.example');
    assert.doesNotMatch(out, /<\/(?:wbr|br|source|img|col|hr|input)>/, out);
    assert.match(out, /<code>a\/<wbr \/>b<\/code>/);
  });
});
