import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPageStore } from '../../src/http/page-store.ts';
import type { RenderTemplate } from '../../src/http/render/site.ts';
import { makePost, makeSite } from '../helpers/site.ts';

const meta = {
  title: 'T',
  url: 'https://blog.example',
  description: '',
  author: 'A',
  language: 'en',
};
const silent = { info: () => {}, error: () => {} };

/** Two posts scheduled an hour apart after `live`. */
function site() {
  return makeSite([
    makePost({ slug: 'live', date: new Date('2026-01-01T00:00:00Z') }),
    makePost({ slug: 'first', date: new Date('2026-02-01T00:00:00Z') }),
    makePost({ slug: 'second', date: new Date('2026-02-01T01:00:00Z') }),
  ]);
}

describe('page store', () => {
  it('drops a page rendered for a view that was replaced while it rendered', async () => {
    let now = new Date('2026-01-15T00:00:00Z');
    /** Renders of the index wait for the test to release them. */
    const held: (() => void)[] = [];
    let holding = false;
    const render: RenderTemplate = async (template, data) => {
      const posts = (data.posts as { slug: string }[] | undefined) ?? [];
      if (holding && template === 'index.njk') await new Promise<void>((go) => held.push(go));
      return `${template}:${posts.map((post) => post.slug).join(',')}`;
    };
    const store = createPageStore({
      site: site(),
      meta,
      pageSize: 10,
      now: () => now,
      dev: undefined,
      logger: silent,
    });
    await store.start(render);
    assert.equal(store.pages.get('/')?.body.toString(), 'index.njk:live', 'rendered ahead');

    holding = true;
    now = new Date('2026-02-01T00:30:00Z'); // "first" is out
    const stale = store.page('/');
    assert.ok(stale instanceof Promise, 'rendered on demand after the change');
    now = new Date('2026-02-01T02:00:00Z'); // "second" too, before that render finished
    const fresh = store.page('/');
    assert.ok(fresh instanceof Promise);
    assert.equal(held.length, 2);

    held.shift()?.(); // the replaced view's render finishes first
    assert.equal((await stale).body.toString(), 'index.njk:first,live');
    assert.equal(store.pages.has('/'), false, 'not stored: its view is gone');
    held.shift()?.();
    assert.equal((await fresh).body.toString(), 'index.njk:second,first,live');
    const stored = store.page('/');
    assert.ok(stored && !(stored instanceof Promise), 'stored for the current view');
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
      dev: undefined,
      logger: silent,
    });
    await store.start(async (template) => template);
    assert.equal(store.page('/posts/b'), undefined);
    assert.equal(store.page('/nope'), undefined);
    assert.equal(store.redirect('old-a'), 'a');
    assert.equal(store.redirect('old-b'), undefined);
  });
});
