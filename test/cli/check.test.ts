import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { postSource, tempDir, writePosts } from '../helpers/posts-dir.ts';
import { runCli } from './run.ts';

/** A temp dir holding `posts/` with these posts; the CLI runs in the temp dir. */
async function site(posts: Parameters<typeof writePosts>[1]) {
  const root = await tempDir();
  await mkdir(join(root, 'posts'));
  await writePosts(join(root, 'posts'), posts);
  return root;
}

const check = (cwd: string, ...args: string[]) => runCli('check.ts', args, { cwd });

describe('npm run check', () => {
  it('reports every post OK and exits 0 for a clean directory, links between posts included', async () => {
    const root = await site({
      'first.md': { extra: 'aliases: [old-first]', body: 'See [second](/posts/second).\n' },
      'second.md': {
        body: '[back](/posts/old-first#top), [file](./first.md) and [ref][r].\n\n[r]: /posts/first?x=1\n',
      },
    });
    assert.deepEqual(await check(root), { code: 0, stdout: '2 posts OK\n', stderr: '' });
    assert.deepEqual(await check(root, '--json'), {
      code: 0,
      stdout: '{"ok":true,"posts":2,"pages":0,"problems":[]}\n',
      stderr: '',
    });
  });

  const broken = {
    'bad-field.md': { extra: 'tag: [x]' },
    'no-front-matter.md': 'Just text.\n',
    'one.md': { extra: 'slug: same' },
    'two.md': { extra: 'slug: same' },
    'plain.md': {},
    'links.md': {
      body: [
        'See [one](/posts/same#intro) and [gone](/posts/gone).', // line 5
        '',
        '![a picture](/posts/missing?size=2)', // line 7
        '[fine](./plain.md) [also fine](./bad-field.md) [not a post](./nowhere.md)',
        '`[in code](/posts/code-span)` [outside](https://example.com/posts/gone)',
        '```md',
        '[in a fence](/posts/fenced)',
        '```',
        '[a link whose text',
        'wraps](/posts/wrapped)', // line 14
        '',
      ].join('\n'),
    },
  };
  const problems = [
    { file: 'posts/bad-field.md', line: 4, message: 'unknown field "tag" (did you mean "tags"?)' },
    { file: 'posts/links.md', line: 5, message: 'link to unknown post "gone"' },
    { file: 'posts/links.md', line: 7, message: 'link to unknown post "missing"' },
    { file: 'posts/links.md', line: 8, message: 'link to unknown post "nowhere"' },
    { file: 'posts/links.md', line: 14, message: 'link to unknown post "wrapped"' },
    {
      file: 'posts/no-front-matter.md',
      line: 1,
      message:
        'missing front matter: a post starts with a "---" line, YAML with "title" and "date", then "---"',
    },
    {
      file: 'posts/one.md',
      line: 4,
      message: 'duplicate slug "same": it is also the slug of posts/two.md',
    },
    {
      file: 'posts/two.md',
      line: 4,
      message: 'duplicate slug "same": it is also the slug of posts/one.md',
    },
  ];

  it('reports the links of a post whose front matter is wrong in the same run, in line order', async () => {
    const root = await site({
      'fields.md':
        '---\ntitle: Fields\ndate: 2026-01-01\ntag: [x]\n---\nSee [gone](/posts/gone).\n',
      'yaml.md': '---\ntitle: [unclosed\ndate: 2026-01-01\n---\n\n[a](/posts/absent)\n',
    });
    const { code, stdout } = await check(root);
    assert.equal(code, 1);
    const lines = stdout.split('\n').slice(0, -2);
    assert.equal(lines.length, 4, stdout);
    assert.equal(lines[0], 'posts/fields.md:4: unknown field "tag" (did you mean "tags"?)');
    assert.equal(lines[1], 'posts/fields.md:6: link to unknown post "gone"');
    assert.match(lines[2] ?? '', /^posts\/yaml\.md:[23]: invalid YAML in front matter: /);
    assert.equal(lines[3], 'posts/yaml.md:6: link to unknown post "absent"');
  });

  it('reports the missing files of a post whose front matter is wrong in the same run (issues #18, #19)', async () => {
    const root = await site({});
    const trip = join(root, 'posts', 'trip');
    await mkdir(trip);
    await writeFile(join(trip, 'notes.txt'), 'Notes.\n');
    await writeFile(
      join(trip, 'index.md'),
      '---\ntitle: Trip\ndate: 2026-01-01\ntag: [x]\n---\n[notes](note.txt) and [more](notes.txt)\n',
    );
    const { code, stdout } = await check(root);
    assert.equal(code, 1);
    assert.deepEqual(stdout.split('\n').slice(0, -2), [
      'posts/trip/index.md:4: unknown field "tag" (did you mean "tags"?)',
      'posts/trip/index.md:6: missing file "note.txt" (did you mean "notes.txt"?)',
    ]);
  });

  it('prints every problem as file:line: message, sorted, then a summary, and exits 1', async () => {
    const root = await site(broken);
    const { code, stdout, stderr } = await check(root);
    assert.equal(stderr, '');
    assert.equal(code, 1);
    assert.equal(
      stdout,
      [
        ...problems.map(({ file, line, message }) => `${file}:${line}: ${message}`),
        '8 problems in 5 of 6 posts',
        '',
      ].join('\n'),
    );
  });

  it('prints the same problems as one JSON object with --json', async () => {
    const root = await site(broken);
    const { code, stdout, stderr } = await check(root, '--json');
    assert.equal(stderr, '');
    assert.equal(code, 1);
    assert.ok(stdout.endsWith('\n') && !stdout.trimEnd().includes('\n'), 'one line');
    assert.deepEqual(JSON.parse(stdout), { ok: false, posts: 6, pages: 0, problems });
  });

  it('lists files that do not exist and images that cannot be shown well (issue #18), and exits 1', async () => {
    const root = await site({});
    const trip = join(root, 'posts', 'trip');
    await mkdir(trip);
    const photo = await sharp({
      create: { width: 40, height: 20, channels: 3, background: '#fff' },
    })
      .png()
      .toBuffer();
    await writeFile(join(trip, 'photo.png'), photo);
    await writeFile(join(trip, 'broken.png'), photo.subarray(0, photo.length - 20));
    await writeFile(
      join(trip, 'index.md'),
      postSource({
        extra: 'cover: { src: photo.png, alt: A white photo }',
        body: '![A photo](photo.png)\n\n![Broken](broken.png)\n\n[slides](slide.pdf)\n',
      }),
    );
    const { code, stdout, stderr } = await check(root);
    assert.equal(stderr, '');
    assert.equal(code, 1);
    const [broken, missing, summary, end] = stdout.split('\n');
    assert.match(
      broken ?? '',
      /^posts\/trip\/index\.md:8: image posts\/trip\/broken\.png cannot be decoded, it may be corrupt or truncated \(.+\): it is served as is, without variants$/,
    );
    assert.equal(missing, 'posts/trip/index.md:10: missing file "slide.pdf"');
    assert.deepEqual([summary, end], ['2 problems in 1 of 1 post', '']);

    await writeFile(join(trip, 'broken.png'), photo);
    await writeFile(join(trip, 'slide.pdf'), '%PDF-1.4');
    assert.deepEqual(await check(root), { code: 0, stdout: '1 post OK\n', stderr: '' });
  });

  it('reads POSTS_DIR, and --posts-dir wins over it', async () => {
    const root = await site({ 'a.md': { body: '[x](/posts/nope)\n' } });
    await mkdir(join(root, 'other'));
    await writePosts(join(root, 'other'), { 'b.md': {} });
    const env = { POSTS_DIR: 'posts' };
    assert.deepEqual(await runCli('check.ts', [], { cwd: root, env }), {
      code: 1,
      stdout: 'posts/a.md:5: link to unknown post "nope"\n1 problem in 1 of 1 post\n',
      stderr: '',
    });
    assert.deepEqual(await runCli('check.ts', ['--posts-dir', 'other'], { cwd: root, env }), {
      code: 0,
      stdout: '1 post OK\n',
      stderr: '',
    });
  });

  it('checks the site file, the standalone pages and the authors posts name (issue #18)', async () => {
    const root = await site({
      'by-ada.md': { extra: 'authors: [ada]', body: 'See [about](/about/).\n' },
      'by-adda.md': { extra: 'authors: [adda]' },
    });
    await mkdir(join(root, 'pages'));
    await writePosts(join(root, 'pages'), {
      'about.md': '---\ntitle: About\n---\nSee [a post](/posts/nowhere).\n',
      'tags.md': '---\ntitle: My tags\n---\nTags.\n',
    });
    await writePosts(root, { 'quire.yaml': 'authors:\n  ada:\n    name: Ada\n' });
    assert.deepEqual(await check(root), {
      code: 1,
      stdout: [
        'pages/about.md:4: link to unknown post "nowhere"',
        'pages/tags.md:1: slug "tags" is taken by the site itself: rename the file or set "slug"',
        'posts/by-adda.md:4: unknown author "adda" (did you mean "ada"?)',
        '3 problems in 3 of 2 posts and 2 pages',
        '',
      ].join('\n'),
      stderr: '',
    });

    // A broken site file is reported, and its authors are not guessed at.
    await writePosts(root, { 'quire.yaml': 'title: Notes\nauthors: ada\n' });
    await writePosts(join(root, 'pages'), { 'tags.md': '---\ntitle: My tags\nslug: mine\n---\n' });
    const broken = await check(root, '--json');
    assert.equal(broken.code, 1);
    assert.deepEqual(JSON.parse(broken.stdout).problems, [
      {
        file: 'quire.yaml',
        line: 2,
        message: '"authors" must be a map of author keys to their name, url and avatar (got "ada")',
      },
      { file: 'pages/about.md', line: 4, message: 'link to unknown post "nowhere"' },
    ]);
  });

  it('exits 1 with one clear line when the posts directory does not exist', async () => {
    const root = await tempDir();
    for (const args of [[], ['--json']]) {
      assert.deepEqual(await check(root, ...args), {
        code: 1,
        stdout: '',
        stderr: 'quire: cannot read the posts directory "./posts": it does not exist\n',
      });
    }
  });

  it('exits 2 with the usage on an unknown flag', async () => {
    const { code, stdout, stderr } = await check(await tempDir(), '--jsn');
    assert.equal(code, 2);
    assert.equal(stdout, '');
    assert.match(stderr, /^quire: Unknown option '--jsn'.*\nusage: npm run check -- /s);
  });
});
