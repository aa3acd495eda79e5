/**
 * The page store (issue #17: pages on demand): pages rendered when first asked for, kept in a
 * byte-bounded LRU, one render for concurrent first requests, and after a scheduled post goes
 * live exactly the pages it changed are rendered again. The templates are stood in for by a
 * render function that counts its calls per page (the real templates are in the HTTP tests).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPageStore, type PageStore } from '../../src/http/page-store.ts';
import { type PageRef, refOf } from '../../src/http/pages/page-ref.ts';
import type { RenderTemplate } from '../../src/http/pages/rendered-page.ts';
import { DEFAULT_MENU, type SiteMeta } from '../../src/http/pages/site-meta.ts';
import { makePost, makeSite } from '../helpers/site.ts';

const meta: SiteMeta = {
  title: 'T',
  url: 'https://blog.example',
  description: '',
  author: 'A',
  language: 'en',
  menu: DEFAULT_MENU,
  codeLineNumbers: false,
  social: [],
  authors: {},
};
const silent = { info: () => {}, error: () => {} };

interface Counting {
  render: RenderTemplate;
  /** Renders by canonical path. */
  counts: Map<string, number>;
}

/** A template stand-in: the page's posts and links, padded to `bytes`. */
function countingRender(bytes = 100): Counting {
  const counts = new Map<string, number>();
  const render: RenderTemplate = async (template, data) => {
    const path = String(data.canonical);
    counts.set(path, (counts.get(path) ?? 0) + 1);
    const posts = (data.posts as { slug: string }[] | undefined) ?? [];
    const post = data.post as { slug: string; html: string } | undefined;
    const text = `${template} ${path} ${posts.map((p) => p.slug).join(',')} ${post?.html ?? ''}`;
    return text.padEnd(bytes, '.');
  };
  return { render, counts };
}

const ref = (path: string): PageRef => {
  const found = refOf(path);
  assert.ok(found, `a page path: ${path}`);
  return found;
};

async function get(store: PageStore, path: string) {
  return store.page(ref(path));
}

describe('page store', () => {
  it('renders a page on its first request only, and 50 concurrent first requests once', async () => {
    const { render, counts } = countingRender();
    const store = createPageStore({
      site: makeSite([makePost({ slug: 'a' }), makePost({ slug: 'b' })]),
      meta,
      pageSize: 10,
      now: () => new Date('2026-06-01T00:00:00Z'),
      maxBytes: 2 ** 20,
      logger: silent,
    });
    store.start(render);
    assert.equal(counts.size, 0, 'nothing rendered ahead');
    const pages = await Promise.all(Array.from({ length: 50 }, () => get(store, '/posts/a')));
    assert.equal(counts.get('/posts/a'), 1);
    assert.ok(pages.every((page) => page === pages[0]));
    const again = await get(store, '/posts/a');
    assert.ok(again && !(again instanceof Promise), 'served from the cache, no promise');
    assert.equal(counts.get('/posts/a'), 1);
  });

  it('never keeps more bytes than its bound, and renders an evicted page again', async () => {
    const { render, counts } = countingRender(5000);
    const maxBytes = 64 * 1024;
    const posts = Array.from({ length: 100 }, (_, i) => makePost({ slug: `p${i}` }));
    const store = createPageStore({
      site: makeSite(posts),
      meta,
      pageSize: 10,
      now: () => new Date('2026-06-01T00:00:00Z'),
      maxBytes,
      logger: silent,
    });
    store.start(render);
    let largest = 0;
    for (let i = 0; i < 100; i++) {
      const page = await get(store, `/posts/p${i}`);
      assert.ok(page && page.body.length >= 5000);
      largest = Math.max(largest, store.cached.bytes);
      assert.ok(store.cached.bytes <= maxBytes, `${store.cached.bytes} bytes after ${i + 1} pages`);
    }
    assert.ok(store.cached.pages < 100 && store.cached.pages > 5, `${store.cached.pages} kept`);
    assert.ok(largest > maxBytes / 2, 'the bound is used');
    await get(store, '/posts/p99'); // the most recent: still there
    assert.equal(counts.get('/posts/p99'), 1);
    const first = await get(store, '/posts/p0'); // the oldest: evicted, rendered again
    assert.equal(counts.get('/posts/p0'), 2);
    assert.match(first?.body.toString() ?? '', /post\.njk \/posts\/p0/);
  });

  it('when a scheduled post goes live, renders again exactly the pages it changed', async () => {
    let now = new Date('2026-01-03T12:00:00Z');
    const day = (d: string) => new Date(`2026-01-${d}T00:00:00Z`);
    const site = makeSite([
      makePost({ slug: 'q0', date: new Date('2025-12-30T00:00:00Z'), tags: ['z'] }),
      makePost({ slug: 'p1', date: day('01'), tags: ['x'] }),
      makePost({ slug: 'p2', date: day('02'), tags: ['y'] }),
      makePost({ slug: 'p3', date: day('03'), tags: ['y'] }),
      makePost({ slug: 's4', date: day('04'), tags: ['y'] }), // scheduled
    ]);
    const { render, counts } = countingRender();
    const store = createPageStore({
      site,
      meta,
      pageSize: 2,
      now: () => now,
      maxBytes: 2 ** 20,
      logger: silent,
    });
    store.start(render);
    const paths = [
      '/',
      '/page/2',
      '/posts/q0',
      '/posts/p1',
      '/posts/p2',
      '/posts/p3',
      '/tags/',
      '/tags/x',
      '/tags/y',
      '/tags/z',
      '/archive/',
      '/feed.xml',
      '/tags/x/feed.xml',
      '/tags/y/feed.xml',
      '/sitemap.xml',
      '/robots.txt',
    ];
    const before = new Map<string, unknown>();
    for (const path of paths) before.set(path, await get(store, path));
    assert.equal(await get(store, '/posts/s4'), undefined, 'not live yet');
    const templateRenders = new Map(counts);

    now = new Date('2026-01-04T12:00:00Z');
    const after = new Map<string, unknown>();
    for (const path of paths) after.set(path, await get(store, path));
    // A page rendered again is a new page object (feeds and the sitemap use no template).
    const rendered = paths.filter((path) => after.get(path) !== before.get(path)).sort();
    // By hand: s4 tops the index (both pages shift), is p3's newer neighbour and related to p2
    // and p3 (tag y), joins tag y's page and feed, the tag counts, the archive, the site feed
    // and the sitemap. p1 (tag x) and q0 (tag z) keep their neighbours and have no tag with s4.
    assert.deepEqual(
      rendered,
      [
        '/',
        '/archive/',
        '/feed.xml',
        '/page/2',
        '/posts/p2',
        '/posts/p3',
        '/sitemap.xml',
        '/tags/',
        '/tags/y',
        '/tags/y/feed.xml',
      ].sort(),
    );
    for (const path of paths.filter((p) => !rendered.includes(p)))
      assert.equal(counts.get(path), templateRenders.get(path), `${path} not rendered again`);
    assert.ok(await get(store, '/posts/s4'), 'live now');
    assert.ok(await get(store, '/page/3'), 'the list grew a page');
  });

  it('does not keep a page rendered for a view that was replaced while it rendered', async () => {
    let now = new Date('2026-01-15T00:00:00Z');
    const held: (() => void)[] = [];
    const render: RenderTemplate = async (template, data) => {
      await new Promise<void>((go) => held.push(go));
      return `${template}:${((data.posts as { slug: string }[]) ?? []).map((p) => p.slug).join(',')}`;
    };
    const store = createPageStore({
      site: makeSite([
        makePost({ slug: 'live', date: new Date('2026-01-01T00:00:00Z') }),
        makePost({ slug: 'first', date: new Date('2026-02-01T00:00:00Z') }),
        makePost({ slug: 'second', date: new Date('2026-02-01T01:00:00Z') }),
      ]),
      meta,
      pageSize: 10,
      now: () => now,
      maxBytes: 2 ** 20,
      logger: silent,
    });
    store.start(render);
    now = new Date('2026-02-01T00:30:00Z'); // "first" is out
    const stale = get(store, '/');
    now = new Date('2026-02-01T02:00:00Z'); // "second" too, before that render finished
    const fresh = get(store, '/');
    assert.equal(held.length, 2, 'the new view does not wait for the old one');
    held.shift()?.();
    assert.equal((await stale)?.body.toString(), 'index.njk:first,live');
    held.shift()?.();
    assert.equal((await fresh)?.body.toString(), 'index.njk:second,first,live');
    const stored = store.page({ kind: 'index', page: 1 });
    assert.ok(stored && !(stored instanceof Promise), 'the current view is cached');
    assert.equal(stored.body.toString(), 'index.njk:second,first,live');
  });

  it('has no page for paths outside the view, and redirects only published aliases', async () => {
    const store = createPageStore({
      site: makeSite([
        makePost({ slug: 'a', aliases: ['old-a'] }),
        makePost({ slug: 'b', aliases: ['old-b'], date: new Date('2099-01-01T00:00:00Z') }),
      ]),
      meta,
      pageSize: 10,
      now: () => new Date('2026-06-01T00:00:00Z'),
      maxBytes: 2 ** 20,
      logger: silent,
    });
    store.start(async (template) => template);
    assert.equal(await get(store, '/posts/b'), undefined);
    assert.equal(await get(store, '/page/2'), undefined);
    assert.equal(await get(store, '/tags/nope'), undefined);
    assert.equal(store.redirect('old-a'), 'a');
    assert.equal(store.redirect('old-b'), undefined);
  });

  it('drops the pages a changed image shows: the post and the feeds; a cover, the lists too (issue #18)', async () => {
    const { render } = countingRender();
    const a = makePost({ slug: 'a', date: new Date('2026-01-01T00:00:00Z'), mediaVersion: 'v1' });
    const b = makePost({ slug: 'b', date: new Date('2026-01-02T00:00:00Z') });
    const store = createPageStore({
      site: makeSite([a, b]),
      meta,
      pageSize: 10,
      now: () => new Date('2026-06-01T00:00:00Z'),
      maxBytes: 2 ** 20,
      logger: silent,
    });
    store.start(render);
    const paths = ['/', '/archive/', '/posts/a', '/posts/b', '/feed.xml', '/sitemap.xml'];
    for (const path of paths) await get(store, path);

    // An image in a's body changed: its URL (and so its page and the full-text feed) changed.
    const image = { ...a, mediaVersion: 'v2' };
    assert.deepEqual(store.replaceSite(makeSite([image, b])).sort(), ['/feed.xml', '/posts/a']);
    for (const path of paths) await get(store, path);

    // Its cover changed: lists show it too (a post's card, which lists show, includes it).
    const cover = {
      ...image,
      mediaVersion: 'v3',
      cover: { alt: 'A', url: '/media/a.0123456789.png', type: 'image/png', bytes: 1, html: '' },
    };
    const dropped = store.replaceSite(makeSite([cover, b]));
    for (const path of ['/', '/archive/', '/feed.xml', '/posts/a'])
      assert.ok(dropped.includes(path), path);
  });
});
