import assert from 'node:assert/strict';
import { mkdir, readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PostsDirectoryError } from '../../src/content/discover-posts.ts';
import { loadSite } from '../../src/content/load-site.ts';
import { ContentError } from '../../src/content/types.ts';
import { postSource, tempDir, writePosts } from '../helpers/posts-dir.ts';

async function setup(posts: Record<string, Parameters<typeof postSource>[0] | string>) {
  const root = await tempDir();
  const postsDir = join(root, 'posts');
  const cacheDir = join(root, 'cache');
  await mkdir(postsDir);
  await writePosts(postsDir, posts);
  const load = (extra: { includeDrafts?: boolean; cacheDir?: string } = {}) =>
    loadSite({ postsDir, cacheDir, title: 'Test', url: 'https://blog.example', ...extra });
  return { root, postsDir, cacheDir, load };
}

const codePost = (i: number) =>
  postSource({
    title: `Post ${i}`,
    date: `2026-01-${String((i % 28) + 1).padStart(2, '0')}`,
    body: `Intro ${i}.\n\n\`\`\`ts\nconst n${i}: number = ${i};\n\`\`\`\n`,
  });

describe('loadSite', () => {
  it('builds the site model: drafts hidden, newest first, summary from front matter or first paragraph', async () => {
    const { load } = await setup({
      'old.md': { title: 'Old', date: '2025-05-01', body: 'First *paragraph* here.\n\nSecond.\n' },
      'new.md': { title: 'New', date: '2026-05-01', extra: 'summary: Custom summary.\ntags: [x]' },
      'draft.md': { title: 'Draft', date: '2026-06-01', extra: 'draft: true' },
    });
    const { site, report } = await load();
    assert.deepEqual(
      site.posts.map((p) => p.slug),
      ['new', 'old'],
    );
    assert.equal(site.bySlug.get('old')?.summary, 'First paragraph here.');
    assert.equal(site.bySlug.get('new')?.summary, 'Custom summary.');
    assert.equal(site.bySlug.get('old')?.readingMinutes, 1);
    assert.equal(site.bySlug.get('old')?.file.endsWith('posts/old.md'), true);
    assert.equal(site.url, 'https://blog.example');
    assert.equal(report.posts, 3);

    const withDrafts = await load({ includeDrafts: true });
    assert.deepEqual(
      withDrafts.site.posts.map((p) => p.slug),
      ['draft', 'new', 'old'],
    );
  });

  it('caches renders on disk: a restart renders nothing, an edited post renders alone', async () => {
    const { postsDir, cacheDir, load } = await setup({
      'a.md': codePost(1),
      'b.md': codePost(2),
      'c.md': codePost(3),
    });
    const first = await load();
    assert.deepEqual([first.report.rendered, first.report.cached], [3, 0]);

    const second = await load();
    assert.deepEqual([second.report.rendered, second.report.cached], [0, 3]);
    assert.equal(second.site.bySlug.get('a')?.html, first.site.bySlug.get('a')?.html);
    assert.equal(second.site.version, first.site.version);

    // The key is the content, not the modification time.
    await utimes(join(postsDir, 'b.md'), new Date(), new Date());
    assert.equal((await load()).report.rendered, 0);

    await writeFile(join(postsDir, 'b.md'), codePost(22));
    const third = await load();
    assert.deepEqual([third.report.rendered, third.report.cached], [1, 2]);
    assert.notEqual(third.site.version, first.site.version);
    assert.match(third.site.bySlug.get('b')?.html ?? '', /22/);
    assert.equal(
      (await readdir(cacheDir)).filter((f) => f.endsWith('.json')).length,
      3,
      'stale entry pruned',
    );
  });

  it('renders a cold batch on worker threads with the same output as the main thread', async () => {
    const posts = Object.fromEntries(
      Array.from({ length: 60 }, (_, i) => [`p${i}.md`, codePost(i)]),
    );
    const many = await setup(posts);
    const pooled = await many.load();
    assert.equal(pooled.report.rendered, 60);

    const one = await setup({ 'p7.md': codePost(7) });
    const inline = await one.load();
    assert.equal(pooled.site.bySlug.get('p7')?.html, inline.site.bySlug.get('p7')?.html);
    assert.match(inline.site.bySlug.get('p7')?.html ?? '', /class="shiki/);
  });

  it('keeps serving when the cache cannot be written, and says why', async () => {
    const { root, load } = await setup({ 'a.md': codePost(1) });
    await writeFile(join(root, 'not-a-dir'), '');
    const { site, report } = await load({ cacheDir: join(root, 'not-a-dir', 'cache') });
    assert.equal(site.posts.length, 1);
    assert.match(
      report.cacheError ?? '',
      /render cache .*not-a-dir\/cache is not writable: ENOTDIR/,
    );
  });

  it('reports warnings from rendering with the file and line', async () => {
    const { load } = await setup({
      'a.md': postSource({ body: 'Hi\n\n```klingon\nQapla!\n```\n' }),
    });
    const { report } = await load();
    assert.equal(report.warnings.length, 1);
    assert.match(report.warnings[0]?.file ?? '', /posts\/a\.md$/);
    assert.equal(report.warnings[0]?.line, 7);
    assert.match(report.warnings[0]?.message ?? '', /klingon/);
  });

  it('rejects duplicate slugs and aliases, naming both files', async () => {
    const { postsDir, load } = await setup({
      'one.md': { title: 'One' },
      'two.md': { title: 'Two', extra: 'slug: one' },
      'three.md': { title: 'Three', extra: 'aliases: [four]' },
      'four.md': { title: 'Four' },
    });
    await assert.rejects(load(), (error: unknown) => {
      assert.ok(error instanceof ContentError);
      assert.deepEqual(
        error.problems.map((p) =>
          `${p.file}:${p.line}: ${p.message}`.replaceAll(`${postsDir}/`, 'posts/'),
        ),
        [
          'posts/three.md:4: alias "four" is already used by posts/four.md',
          'posts/two.md:4: duplicate slug "one": posts/one.md already uses it',
        ],
      );
      return true;
    });
  });

  it('collects every problem in every post, sorted by file and line', async () => {
    const { load } = await setup({
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
  });

  it('fails clearly when the posts directory is missing or not a directory', async () => {
    const root = await tempDir();
    const load = (postsDir: string) =>
      loadSite({ postsDir, cacheDir: join(root, 'c'), title: 'T', url: 'http://x' });
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
});
