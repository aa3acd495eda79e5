/**
 * The site loader (issue #17): a full load from posts and the site index, every kind of
 * incremental update compared with a full load of the same files, and the index's guarantees
 * (a second start validates and renders nothing; a touched post renders alone; a broken index
 * is rebuilt with a warning; an unwritable cache still serves). Real files, real renders.
 */
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { INDEX_FILE } from '../../src/content/cache/site-index.ts';
import { PostsDirectoryError } from '../../src/content/source/discover-posts.ts';
import { SiteLoader } from '../../src/content/site/site-loader.ts';
import { ContentError, formatProblem } from '../../src/content/types.ts';
import { postSource, tempDir, writePosts } from '../helpers/posts-dir.ts';

async function setup(posts: Record<string, Parameters<typeof postSource>[0] | string>) {
  const root = await tempDir();
  const postsDir = join(root, 'posts');
  const cacheDir = join(root, 'cache');
  await mkdir(postsDir);
  await writePosts(postsDir, posts);
  const loader = (options: { strict?: boolean; cacheDir?: string } = {}) =>
    new SiteLoader({ postsDir, cacheDir, strict: true, ...options });
  const load = async (options: { strict?: boolean; cacheDir?: string } = {}) => {
    const instance = loader(options);
    const report = await instance.load();
    return {
      loader: instance,
      report,
      site: instance.site({ title: 'T', url: 'https://b.example' }),
    };
  };
  return { root, postsDir, cacheDir, loader, load };
}

const codePost = (i: number, title = `Post ${i}`) =>
  postSource({
    title,
    date: `2026-01-${String((i % 28) + 1).padStart(2, '0')}`,
    body: `Intro ${i}.\n\n\`\`\`ts\nconst n${i}: number = ${i};\n\`\`\`\n`,
  });

/** What a loader holds, comparable between two loaders of the same files. */
function snapshot(loader: SiteLoader, postsDir: string) {
  const relative = (text: string) => text.replaceAll(`${postsDir}/`, '');
  return {
    problems: loader.problems().map((problem) => relative(formatProblem(problem))),
    posts: loader
      .posts()
      .map((post) => ({ ...post, file: relative(post.file) }))
      .sort((a, b) => a.file.localeCompare(b.file)),
  };
}

describe('SiteLoader: a full load', () => {
  it('builds the site model: newest first, drafts kept for the view to hide, summaries', async () => {
    const { load } = await setup({
      'old.md': { title: 'Old', date: '2025-05-01', body: 'First *paragraph* here.\n\nSecond.\n' },
      'new.md': { title: 'New', date: '2026-05-01', extra: 'summary: Custom summary.\ntags: [x]' },
      'draft.md': { title: 'Draft', date: '2026-06-01', extra: 'draft: true' },
    });
    const { site, report } = await load();
    assert.deepEqual(
      site.posts.map((p) => [p.slug, p.draft]),
      [
        ['draft', true],
        ['new', false],
        ['old', false],
      ],
    );
    assert.equal(site.bySlug.get('old')?.summary, 'First paragraph here.');
    assert.equal(site.bySlug.get('new')?.summary, 'Custom summary.');
    assert.equal(site.bySlug.get('old')?.readingMinutes, 1);
    assert.match((await site.body(site.bySlug.get('old') as never)).html, /<em>paragraph<\/em>/);
    assert.deepEqual([report.posts, report.published, report.rendered], [3, 2, 3]);
  });

  it('reports warnings from rendering with the file and line, on every start', async () => {
    const { load } = await setup({
      'a.md': postSource({ body: 'Hi\n\n```klingon\nQapla!\n```\n' }),
    });
    for (const start of ['cold', 'warm']) {
      const { report } = await load();
      assert.equal(report.warnings.length, 1, start);
      assert.match(report.warnings[0]?.file ?? '', /posts\/a\.md$/);
      assert.equal(report.warnings[0]?.line, 7);
      assert.match(report.warnings[0]?.message ?? '', /klingon/);
    }
  });

  it('rejects duplicate slugs and aliases, naming both files on each side', async () => {
    const { postsDir, load } = await setup({
      'one.md': { title: 'One' },
      'two.md': { title: 'Two', extra: 'slug: one' },
      'three.md': { title: 'Three', extra: 'aliases: [four]' },
      'four.md': { title: 'Four' },
    });
    await assert.rejects(load(), (error: unknown) => {
      assert.ok(error instanceof ContentError);
      assert.deepEqual(
        error.problems.map((p) => formatProblem(p).replaceAll(`${postsDir}/`, 'posts/')),
        [
          'posts/four.md:1: duplicate slug "four": it is also an alias of posts/three.md',
          'posts/one.md:1: duplicate slug "one": it is also the slug of posts/two.md',
          'posts/three.md:4: alias "four" is also the slug of posts/four.md',
          'posts/two.md:4: duplicate slug "one": it is also the slug of posts/one.md',
        ],
      );
      return true;
    });
  });

  it('collects every problem in every post, sorted by file and line, before rendering any', async () => {
    const { cacheDir, load } = await setup({
      'b.md': '---\ntitle: B\ndate: someday\n---\n',
      'a.md': '---\ntitle: A\ndate: 2026-01-01\ntag: [x]\n---\n',
      'ok.md': { title: 'Fine' },
    });
    await assert.rejects(load(), (error: unknown) => {
      assert.ok(error instanceof ContentError);
      assert.deepEqual(
        error.problems.map((p) => `${p.file.replace(/^.*posts\//, '')}:${p.line}`),
        ['a.md:4', 'b.md:3'],
      );
      assert.match(
        error.message,
        /^2 problems in posts:\n.*a\.md:4: unknown field "tag" \(did you mean "tags"\?\)\n/,
      );
      return true;
    });
    await assert.rejects(readdir(cacheDir), { code: 'ENOENT' }, 'nothing rendered or written');
  });

  it('fails clearly when the posts directory is missing or not a directory', async () => {
    const root = await tempDir();
    const load = (postsDir: string) =>
      new SiteLoader({ postsDir, cacheDir: join(root, 'c'), strict: true }).load();
    await assert.rejects(load(join(root, 'nope')), (error: unknown) => {
      assert.ok(error instanceof PostsDirectoryError);
      assert.equal(
        error.message,
        `cannot read the posts directory "${join(root, 'nope')}": it does not exist`,
      );
      return true;
    });
    await writeFile(join(root, 'file'), '');
    await assert.rejects(load(join(root, 'file')), /it is not a directory/);
  });

  it('finds posts in sub-folders and ignores other files', async () => {
    const { postsDir, load } = await setup({
      'top.md': { title: 'Top' },
      'notes.txt': 'not a post',
    });
    await mkdir(join(postsDir, '2026'));
    await writePosts(join(postsDir, '2026'), { 'nested.md': { title: 'Nested' } });
    const { site } = await load();
    assert.deepEqual([...site.bySlug.keys()].sort(), ['nested', 'top']);
  });

  it('renders many posts in the render pool with the same output as in this process', async () => {
    const many = await setup(
      Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`p${i}.md`, codePost(i)])),
    );
    const pooled = await many.load();
    assert.equal(pooled.report.rendered, 60);
    const one = await setup({ 'p7.md': codePost(7) });
    const inline = await one.load();
    const html = (await inline.site.body(inline.site.bySlug.get('p7') as never)).html;
    assert.match(html, /class="shiki/);
    assert.equal((await pooled.site.body(pooled.site.bySlug.get('p7') as never)).html, html);
  });
});

describe('SiteLoader: the site index', () => {
  it('a second start reads no post and no body, and renders nothing', async () => {
    const { postsDir, cacheDir, load } = await setup({
      'a.md': codePost(1),
      'b.md': codePost(2),
      'c.md': codePost(3),
    });
    // Whole seconds: what utimes can set back exactly.
    const mtime = new Date('2026-01-01T00:00:00Z');
    const b = join(postsDir, 'b.md');
    await utimes(b, mtime, mtime);
    const first = await load();
    assert.deepEqual([first.report.rendered, first.report.validated], [3, 3]);

    // Same size and modification time, other bytes: a start that read the file would see it.
    await writeFile(b, codePost(2).replace('Post 2', 'Post X'));
    await utimes(b, mtime, mtime);
    // And no body left in the cache: a start that read one would have to render it again.
    for (const name of await readdir(cacheDir))
      if (name !== INDEX_FILE) await rm(join(cacheDir, name));

    const second = await load();
    assert.deepEqual([second.report.rendered, second.report.validated], [0, 0]);
    assert.equal(second.site.bySlug.get('b')?.title, 'Post 2', 'from the index, not the file');
    assert.equal(second.site.version, first.site.version);
  });

  it('touching one post validates it again, and renders nothing when its content is the same', async () => {
    const { postsDir, load } = await setup({ 'a.md': codePost(1), 'b.md': codePost(2) });
    await load();
    const later = new Date(Date.now() + 5000);
    await utimes(join(postsDir, 'b.md'), later, later);
    const touched = await load();
    assert.deepEqual([touched.report.validated, touched.report.rendered], [0, 0], 'same hash');

    await writeFile(join(postsDir, 'b.md'), codePost(22));
    const edited = await load();
    assert.deepEqual([edited.report.validated, edited.report.rendered], [1, 1]);
    assert.match((await edited.site.body(edited.site.bySlug.get('b') as never)).html, /22/);
    const third = await load();
    assert.deepEqual([third.report.validated, third.report.rendered], [0, 0]);
  });

  it('prunes the bodies of posts that changed or went', async () => {
    const { postsDir, cacheDir, load } = await setup({ 'a.md': codePost(1), 'b.md': codePost(2) });
    await load();
    await writeFile(join(postsDir, 'a.md'), codePost(11));
    await rm(join(postsDir, 'b.md'));
    await load();
    const bodies = (await readdir(cacheDir)).filter(
      (name) => name.endsWith('.json') && name !== INDEX_FILE,
    );
    assert.equal(bodies.length, 1);
  });

  for (const [what, damage] of [
    ['truncated', (text: string) => text.slice(0, text.length / 2)],
    ['corrupt', () => '{"format": 1, "entries": "nonsense"'],
    ['of another version', (text: string) => text.replace(/"format":\d+/, '"format":0')],
    ['with wrong entries', (text: string) => text.replace('"bodyKey":"', '"bodyKey":7,"x":"')],
  ] as const) {
    it(`an index ${what} is rebuilt, with a warning`, async () => {
      const { postsDir, cacheDir, load } = await setup({
        'a.md': codePost(1),
        'b.md': codePost(2),
      });
      await load();
      const path = join(cacheDir, INDEX_FILE);
      await writeFile(path, damage(await readFile(path, 'utf8')));
      const rebuilt = await load();
      assert.match(rebuilt.report.indexWarning ?? '', new RegExp(`site index ${path}`));
      assert.equal(rebuilt.report.validated, 2);
      assert.equal(rebuilt.report.rendered, 0, 'the bodies in the cache are still good');
      assert.deepEqual(snapshot(rebuilt.loader, postsDir).problems, []);
      const again = await load();
      assert.equal(again.report.indexWarning, undefined);
      assert.equal(again.report.validated, 0);
    });
  }

  it('serves from a cache that cannot be written, and says why', async () => {
    const { root, load } = await setup({ 'a.md': codePost(1) });
    await writeFile(join(root, 'not-a-dir'), '');
    const { site, report } = await load({ cacheDir: join(root, 'not-a-dir', 'cache') });
    assert.equal(site.posts.length, 1);
    assert.match(report.cacheError ?? '', /not-a-dir\/cache.*ENOTDIR/);
    assert.match((await site.body(site.posts[0] as never)).html, /n1/, 'the body is still there');
  });

  it('renders a body the cache lost from the post itself', async () => {
    const { cacheDir, load } = await setup({ 'a.md': codePost(1) });
    const { site } = await load();
    for (const name of await readdir(cacheDir)) await rm(join(cacheDir, name));
    assert.match((await site.body(site.posts[0] as never)).html, /class="shiki/);
  });
});

describe('SiteLoader: incremental updates give what a full load of the same files gives', () => {
  it('add, edit, delete, rename, folder out and back, slug clash introduced and fixed', async () => {
    const { root, postsDir, loader } = await setup({
      'a.md': codePost(1),
      'b.md': codePost(2),
      'c.md': postSource({ title: 'C', extra: 'aliases: [old-c]' }),
    });
    const live = loader({ strict: false });
    await live.load();
    let fresh = 0;
    const check = async (step: string, path: string) => {
      await live.update(join(postsDir, path));
      const full = loader({ strict: false, cacheDir: join(root, `full-${fresh++}`) });
      await full.load();
      const incremental = snapshot(live, postsDir);
      const expected = snapshot(full, postsDir);
      assert.deepEqual(incremental.problems, expected.problems, `${step}: problems`);
      // With problems, the dev server keeps serving a broken file's last good version: only a
      // loader that saw it can, so the posts are compared when there is none.
      if (expected.problems.length === 0)
        assert.deepEqual(incremental.posts, expected.posts, `${step}: posts`);
    };

    await writePosts(postsDir, { 'd.md': codePost(4) });
    await check('add', 'd.md');
    await writeFile(join(postsDir, 'a.md'), codePost(1, 'A, edited'));
    await check('edit', 'a.md');
    await rm(join(postsDir, 'd.md'));
    await check('delete', 'd.md');
    // A rename is two events, in either order: the result is checked after both.
    await rename(join(postsDir, 'b.md'), join(postsDir, 'b2.md'));
    await live.update(join(postsDir, 'b2.md'));
    await check('rename, new name seen first', 'b.md');
    await rename(join(postsDir, 'b2.md'), join(postsDir, 'b3.md'));
    await live.update(join(postsDir, 'b2.md'));
    await check('rename, old name seen first', 'b3.md');

    await mkdir(join(postsDir, 'series'));
    await writePosts(join(postsDir, 'series'), { 'e.md': codePost(5), 'f.md': codePost(6) });
    await check('folder in', 'series');
    const away = join(root, 'away');
    await rename(join(postsDir, 'series'), away);
    await check('folder out', 'series');
    await rename(away, join(postsDir, 'series'));
    await check('folder back', 'series');

    await writeFile(
      join(postsDir, 'a.md'),
      codePost(1, 'A').replace('---\n', '---\nslug: old-c\n'),
    );
    await check('slug clash introduced', 'a.md');
    assert.equal(live.problems().length, 2, 'both sides of the clash');
    await writeFile(join(postsDir, 'a.md'), codePost(1, 'A'));
    await check('slug clash fixed', 'a.md');
    assert.deepEqual(live.problems(), []);
  });

  it('keeps the last good version of a broken file, and says what changed', async () => {
    const { postsDir, loader } = await setup({ 'a.md': codePost(1), 'b.md': codePost(2) });
    const live = loader({ strict: false });
    await live.load();
    await writeFile(join(postsDir, 'a.md'), '---\ntitle: A\ndate: never\n---\n');
    const broken = await live.update(join(postsDir, 'a.md'));
    assert.equal(broken.problemsChanged, true);
    assert.deepEqual(broken.changes, []);
    assert.equal(live.posts().find((post) => post.slug === 'a')?.title, 'Post 1');

    await writeFile(join(postsDir, 'a.md'), codePost(1, 'Fixed'));
    const fixed = await live.update(join(postsDir, 'a.md'));
    assert.equal(fixed.problemsChanged, true);
    assert.deepEqual(
      fixed.changes.map(({ before, after }) => [before?.title, after?.title]),
      [['Post 1', 'Fixed']],
    );
    const same = await live.update(join(postsDir, 'a.md'));
    assert.deepEqual([same.changes, same.problemsChanged], [[], false], 'the same bytes again');
  });
});
