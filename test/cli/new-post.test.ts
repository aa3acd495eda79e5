import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parsePost } from '../../src/content/source/front-matter.ts';
import { tempDir } from '../helpers/posts-dir.ts';
import { runCli } from './run.ts';

async function root() {
  const dir = await tempDir();
  await mkdir(join(dir, 'posts'));
  return dir;
}

const newPost = (cwd: string, ...args: string[]) => runCli('new-post.ts', args, { cwd });
const today = () => new Date().toISOString().slice(0, 10);

describe('npm run new', () => {
  it('writes a draft post named after the title, prints its path, and the post parses', async () => {
    const cwd = await root();
    const title = 'Café: "quotes", it’s [brackets] & #hash';
    const before = today();
    const { code, stdout, stderr } = await newPost(cwd, title);
    assert.equal(stderr, '');
    assert.equal(code, 0);
    assert.equal(stdout, 'posts/cafe-quotes-its-brackets-hash.md\n');

    const source = await readFile(join(cwd, 'posts/cafe-quotes-its-brackets-hash.md'), 'utf8');
    const date = source.match(/^date: (.*)$/m)?.[1];
    assert.ok(date === before || date === today(), `date is today (UTC): ${date}`);
    const result = parsePost('posts/cafe-quotes-its-brackets-hash.md', source);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.post.frontMatter.title, title);
    assert.equal(result.post.frontMatter.slug, 'cafe-quotes-its-brackets-hash');
    assert.deepEqual(result.post.frontMatter.tags, []);
    assert.equal(result.post.frontMatter.draft, true);
    assert.match(result.post.body, /npm run check/);
    assert.match(source, /^---\ntitle: .*\ndate: \d{4}-\d\d-\d\d\ntags: \[\]\ndraft: true\n---\n/);
  });

  it('respects POSTS_DIR and --posts-dir', async () => {
    const cwd = await root();
    await mkdir(join(cwd, 'elsewhere'));
    const viaEnv = await runCli('new-post.ts', ['One'], { cwd, env: { POSTS_DIR: 'elsewhere' } });
    assert.deepEqual(viaEnv, { code: 0, stdout: 'elsewhere/one.md\n', stderr: '' });
    const viaFlag = await newPost(cwd, '--posts-dir', 'elsewhere', 'Two');
    assert.deepEqual(viaFlag, { code: 0, stdout: 'elsewhere/two.md\n', stderr: '' });
    assert.deepEqual((await readdir(join(cwd, 'elsewhere'))).sort(), ['one.md', 'two.md']);
  });

  it('refuses to overwrite an existing file and leaves it untouched', async () => {
    const cwd = await root();
    const file = join(cwd, 'posts/hello-world.md');
    await writeFile(file, 'my precious words\n');
    assert.deepEqual(await newPost(cwd, 'Hello, World!'), {
      code: 1,
      stdout: '',
      stderr: 'quire: posts/hello-world.md already exists: choose another title\n',
    });
    assert.equal(await readFile(file, 'utf8'), 'my precious words\n');
  });

  it('refuses an empty title and one with nothing to make a file name from', async () => {
    const cwd = await root();
    assert.deepEqual(await newPost(cwd, '   '), {
      code: 1,
      stdout: '',
      stderr: 'quire: the title is empty\n',
    });
    assert.deepEqual(await newPost(cwd, '日本語 !!'), {
      code: 1,
      stdout: '',
      stderr: 'quire: cannot make a file name from "日本語 !!": it needs letters or digits\n',
    });
    assert.deepEqual(await readdir(join(cwd, 'posts')), []);
  });

  it('exits 2 with the usage without a title, and 1 when the posts directory is missing', async () => {
    const cwd = await tempDir();
    const usage = await newPost(cwd);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /^quire: give the title as one argument\nusage: npm run new -- /);
    assert.deepEqual(await newPost(cwd, 'Hello'), {
      code: 1,
      stdout: '',
      stderr: 'quire: cannot write posts/hello.md: the posts directory "./posts" does not exist\n',
    });
  });
});
