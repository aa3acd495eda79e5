import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fileSlug } from '../../src/content/site/published.ts';
import type { Site } from '../../src/content/types.ts';
import { loadTestSite, tempDir } from '../helpers/posts-dir.ts';
import { makePost, makeSite } from '../helpers/site.ts';
import { buildTestApp } from './harness.ts';

const SAMPLE_POSTS = fileURLToPath(new URL('../../posts/', import.meta.url));
/** After every sample post's date, including the scheduled one. */
const AFTER_ALL = () => new Date('2030-01-01T00:00:00Z');

describe('permalinks of the sample posts', () => {
  let site: Site;
  before(async () => {
    const cacheDir = join(await tempDir('quire-permalinks-'), 'cache');
    ({ site } = await loadTestSite({
      postsDir: SAMPLE_POSTS,
      cacheDir,
      title: 'Quire',
      url: 'https://blog.example',
    }));
  });

  it('answers 301 to the current URL for every alias and former file-name slug, query kept', async (t) => {
    const { app } = buildTestApp(t, { site, now: AFTER_ALL });
    const old: [string, string][] = [];
    for (const post of site.posts) {
      for (const alias of post.aliases) old.push([alias, post.slug]);
      if (fileSlug(post) !== post.slug) old.push([fileSlug(post), post.slug]);
    }
    // The fixtures do exercise both kinds: aliases and a slug set in front matter.
    assert.ok(old.some(([from]) => from === 'front-matter'));
    assert.ok(old.some(([from]) => from === 'scheduled-posts-and-permalinks'));
    assert.ok(old.length >= 4, JSON.stringify(old));

    for (const [from, to] of old) {
      const response = await app.inject({ url: `/posts/${from}?utm_source=feed&x=%20y` });
      assert.equal(response.statusCode, 301, from);
      assert.equal(response.headers.location, `/posts/${to}?utm_source=feed&x=%20y`, from);
      const plain = await app.inject({ url: `/posts/${from}` });
      assert.equal(plain.headers.location, `/posts/${to}`, from);
      const head = await app.inject({ method: 'HEAD', url: `/posts/${from}` });
      assert.equal(head.statusCode, 301, `HEAD ${from}`);
      const target = await app.inject({ url: `/posts/${to}` });
      assert.equal(target.statusCode, 200, to);
    }
  });

  it('does not redirect to a post that is not published yet', async (t) => {
    const { app } = buildTestApp(t, { site, now: () => new Date('2026-12-01T00:00:00Z') });
    for (const url of ['/posts/permalinks', '/posts/scheduled-posts-and-permalinks']) {
      assert.equal((await app.inject({ url })).statusCode, 404, url);
    }
    assert.equal((await app.inject({ url: '/posts/front-matter' })).statusCode, 301);
  });
});

describe('permalinks', () => {
  it('lets a live post win over another post’s alias', async (t) => {
    const site = makeSite([
      makePost({ slug: 'renamed', aliases: ['shared'] }),
      makePost({ slug: 'shared', title: 'The real one' }),
    ]);
    const { app } = buildTestApp(t, { site });
    const response = await app.inject({ url: '/posts/shared' });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /The real one/);
  });
});
