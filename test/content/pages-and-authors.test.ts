/**
 * What the one loader does for issue #18: standalone pages beside the posts (same pipeline, same
 * index, their own names, which the site's own routes keep), and front matter `authors` checked
 * against the site file's authors. Real files, real renders.
 */
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SiteLoader, type SiteLoaderOptions } from '../../src/content/site/site-loader.ts';
import { ContentError, formatProblem } from '../../src/content/types.ts';
import { tempDir, writePosts } from '../helpers/posts-dir.ts';

const page = (frontMatter: string, body = 'About this blog.\n') =>
  `---\n${frontMatter}\n---\n${body}`;

type Files = Parameters<typeof writePosts>[1];

async function setup(files: { posts?: Files; pages?: Files }) {
  const root = await tempDir();
  const postsDir = join(root, 'posts');
  const pagesDir = join(root, 'pages');
  const cacheDir = join(root, 'cache');
  await mkdir(postsDir);
  await writePosts(postsDir, files.posts ?? { 'a.md': { title: 'A' } });
  if (files.pages) {
    await mkdir(pagesDir);
    await writePosts(pagesDir, files.pages);
  }
  const options = (more: Partial<SiteLoaderOptions> = {}): SiteLoaderOptions => ({
    postsDir,
    pagesDir,
    cacheDir,
    reservedSlugs: ['posts', 'tags', 'feed.xml'],
    ...more,
  });
  const load = async (more: Partial<SiteLoaderOptions> = {}) => {
    const loader = new SiteLoader(options(more));
    const report = await loader.load();
    return { loader, report, site: loader.site({ title: 'T', url: 'https://b.example' }) };
  };
  return { root, postsDir, pagesDir, cacheDir, load };
}

const problemLines = (loader: SiteLoader, root: string) =>
  loader.problems().map((problem) => formatProblem(problem).replace(`${root}/`, ''));

describe('SiteLoader: standalone pages', () => {
  it('loads pages through the same pipeline as posts, with their own front matter', async () => {
    const { load } = await setup({
      pages: {
        'about.md': page('title: About', 'I write *here*.\n\n```ts\nconst x = 1;\n```\n'),
        'now.md': page('title: Now\ndescription: What I am doing now.\nslug: now-page'),
        'wip.md': page('title: Work in progress\ndraft: true'),
      },
    });
    const { site, report } = await load();
    assert.deepEqual([...site.pages.keys()].sort(), ['about', 'now-page', 'wip']);
    const about = site.pages.get('about');
    assert.equal(about?.title, 'About');
    assert.equal(about?.description, 'I write here.', 'the first paragraph by default');
    assert.equal(site.pages.get('now-page')?.description, 'What I am doing now.');
    assert.equal(site.pages.get('wip')?.draft, true, 'kept for the view to hide');
    const { html } = await site.body(about);
    assert.match(html, /<em>here<\/em>/);
    assert.match(html, /<pre class="shiki/, 'code is highlighted like in posts');
    assert.equal(site.posts.length, 1, 'pages are not posts');
    assert.deepEqual([report.posts, report.pages, report.rendered], [1, 3, 4]);
  });

  it('a blog without a pages folder has no pages and no problem', async () => {
    const { load } = await setup({});
    const { site, report, loader } = await load();
    assert.equal(site.pages.size, 0);
    assert.equal(report.pages, 0);
    assert.deepEqual(loader.problems(), []);
  });

  it('rejects a post-only field, a missing title, a page named like the site’s own routes, and two pages with one name', async () => {
    const { root, load } = await setup({
      pages: {
        'dated.md': page('title: Dated\ndate: 2026-01-01'),
        'untitled.md': page('description: No title.'),
        'tags.md': page('title: Tags of mine'),
        'feed.md': page('title: My feed\nslug: feed.xml'),
        'one.md': page('title: One\nslug: same'),
        'two.md': page('title: Two\nslug: same'),
      },
    });
    await assert.rejects(load({ strict: true }), (error: unknown) => {
      assert.ok(error instanceof ContentError);
      assert.deepEqual(
        error.problems.map((problem) => formatProblem(problem).replace(`${root}/`, '')),
        [
          'pages/dated.md:3: unknown field "date" (known fields: title, description, draft, slug)',
          'pages/feed.md:3: slug "feed.xml" is taken by the site itself: rename the file or set "slug"',
          'pages/one.md:3: duplicate slug "same": it is also the slug of ' + `${root}/pages/two.md`,
          'pages/tags.md:1: slug "tags" is taken by the site itself: rename the file or set "slug"',
          'pages/two.md:3: duplicate slug "same": it is also the slug of ' + `${root}/pages/one.md`,
          'pages/untitled.md:1: missing required field "title"',
        ],
      );
      return true;
    });
  });

  it('a second start takes pages from the index, and a page whose body the cache lost renders again', async () => {
    const { cacheDir, load } = await setup({ pages: { 'about.md': page('title: About') } });
    await load();
    const again = await load();
    assert.deepEqual([again.report.validated, again.report.rendered], [0, 0]);
    const about = again.site.pages.get('about');
    assert.ok(about);
    await rm(join(cacheDir, `${about.bodyKey}.json`));
    assert.equal((await again.site.body(about)).html, '<p>About this blog.</p>\n');
  });

  it('updates a page alone when it changes, is deleted or is added', async () => {
    const { pagesDir, load } = await setup({ pages: { 'about.md': page('title: About') } });
    const { loader } = await load();
    const about = join(pagesDir, 'about.md');
    await writeFile(about, page('title: About me'));
    const edit = await loader.update(about);
    assert.deepEqual(
      edit.changes.map(({ kind, before, after }) => [kind, before?.title, after?.title]),
      [['page', 'About', 'About me']],
    );
    assert.equal(loader.posts().length, 1, 'the posts are untouched');
    const now = join(pagesDir, 'now.md');
    await writeFile(now, page('title: Now'));
    await rm(about);
    await loader.update(now);
    await loader.update(about);
    assert.deepEqual(
      loader.pages().map((p) => p.slug),
      ['now'],
    );
  });

  it('leaves a page’s images and file links as written: only posts have files beside them', async () => {
    const { load, postsDir } = await setup({
      posts: { 'a.md': { title: 'A' } },
      pages: { 'about.md': page('title: About', '![Me](me.jpg) and [my CV](cv.pdf).\n') },
    });
    await writeFile(join(postsDir, 'me.jpg'), 'not looked at');
    const { loader, site } = await load();
    assert.deepEqual(loader.problems(), []);
    const about = site.pages.get('about');
    assert.ok(about);
    const { html } = await site.body(about);
    assert.match(html, /<img alt="Me" src="me\.jpg"/);
    assert.match(html, /<a href="cv\.pdf">/);
    assert.doesNotMatch(html, /data-quire-file/);
  });
});

describe('SiteLoader: authors named in front matter', () => {
  const posts = {
    'one.md': { title: 'One', extra: 'authors: [alice, bob]' },
    'two.md': { title: 'Two', extra: 'authors:\n  - alice\n  - alise\n  - zed' },
    'three.md': { title: 'Three' },
  };

  it('accepts known keys and names each unknown one at its line, with the nearest known key', async () => {
    const { root, load } = await setup({ posts });
    const { loader, site } = await load({ authors: ['alice', 'bob'] });
    assert.deepEqual(problemLines(loader, root), [
      'posts/two.md:6: unknown author "alise" (did you mean "alice"?)',
      'posts/two.md:7: unknown author "zed" (known authors: alice, bob)',
    ]);
    assert.deepEqual(site.bySlug.get('one')?.authors, ['alice', 'bob']);
    await assert.rejects(load({ authors: ['alice', 'bob'], strict: true }), ContentError);
  });

  it('says so when the site file defines no authors, and checks nothing when it is not known', async () => {
    const { root, load } = await setup({ posts: { 'one.md': posts['one.md'] } });
    const { loader } = await load({ authors: [] });
    assert.deepEqual(problemLines(loader, root), [
      'posts/one.md:4: unknown author "alice" (quire.yaml defines no "authors")',
      'posts/one.md:4: unknown author "bob" (quire.yaml defines no "authors")',
    ]);
    assert.deepEqual((await load({ authors: undefined })).loader.problems(), []);
  });

  it('checks every post again when the authors change, reading none', async () => {
    const { root, load } = await setup({ posts });
    const { loader } = await load({ authors: ['alice', 'bob', 'alise', 'zed'] });
    assert.deepEqual(loader.problems(), []);
    assert.equal(await loader.setAuthors(['alice', 'bob', 'zed']), true);
    assert.deepEqual(problemLines(loader, root), [
      'posts/two.md:6: unknown author "alise" (did you mean "alice"?)',
    ]);
    assert.equal(await loader.setAuthors(['alice', 'bob', 'zed']), false, 'nothing changed');
  });

  it('serves a post that named an unknown author once the site file defines it (the dev server)', async () => {
    const { load } = await setup({ posts });
    const { loader } = await load({ authors: ['alice', 'bob'], strict: false });
    const slugs = () => loader.posts().map((post) => post.slug);
    assert.deepEqual(slugs(), ['one', 'three'], 'two.md was never good');
    assert.equal(await loader.setAuthors(['alice', 'bob', 'alise', 'zed']), true);
    assert.deepEqual(loader.problems(), []);
    assert.deepEqual(slugs(), ['one', 'three', 'two']);
  });
});
