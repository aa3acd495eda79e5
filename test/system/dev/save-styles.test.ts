/**
 * The dev watcher against the ways real editors and tools save a file (issue #17 §7). Most of
 * them do not write the post in place: they write a new file and rename it over the post (or
 * delete it and create it anew), so the post's path names another file after every save. Each
 * style saves the same post three times and the served page must show every save; a plain write
 * afterwards must still be seen (the post is still watched). Each save is checked to have
 * replaced the file (the file open before the save has no name left after it), so the test
 * cannot pass by a tool quietly writing in place.
 *
 * The real programs run where Debian has them (vim, sed, python3, git; .ci/packages/editors.txt);
 * JetBrains' "safe write" is reproduced with its own file names and order of calls.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fetch } from 'undici';
import { requireTools } from '../../helpers/require-tool.ts';
import { postSource, tempDir } from '../../helpers/posts-dir.ts';
import { eventually, startDevServer } from '../../dev/dev-process.ts';

const run = promisify(execFile);
const tools = requireTools(['vim', 'sed', 'python3', 'git'], 'apt-get install vim python3 git');

const version = (n: number) => `Version ${n} of this post.`;
const source = (title: string, n: number) =>
  postSource({ title, date: '2026-01-02', body: `${version(n)}\n` });

const REPO_TEMPLATES = fileURLToPath(new URL('../../../templates/', import.meta.url));

// posts/ inside a git repository, as a blog usually is: `git checkout` restores files into it.
const root = await tempDir('quire-dev-saves-');
const posts = join(root, 'posts');
await mkdir(posts);

type Save = (file: string, n: number) => Promise<void>;

/** GNU sed writes ./sedXXXXXX beside the file and renames it over the file. */
const sed = async (file: string, from: string, to: string) => {
  const path = (tools.paths as Record<'sed', string>).sed;
  await run(path, ['-i', `s/${from}/${to}/`, file]);
};

/** What replaces "Version n-1" by "Version n" in the post, for each save style. */
const styles: Record<string, Save> = {
  // vim's defaults (`backupcopy=auto`, `writebackup`): it probes the folder with a file named
  // 4913, renames the post to `post.md~`, writes a new post.md and deletes the backup. vim skips
  // the backup for files under /tmp (`backupskip`), where this test's files are, and then writes
  // in place; clearing the option gives what a writer's ~/blog/posts gets.
  vim: async (file, n) => {
    const { vim } = tools.paths as Record<'vim', string>;
    await run(vim, [
      '--clean',
      '-es',
      '-c',
      'set backupskip=',
      '-c',
      `%s/Version ${n - 1} /Version ${n} /`,
      '-c',
      'wq',
      file,
    ]);
  },
  // IntelliJ's "safe write": the new content into post.md___jb_tmp___, the post renamed to
  // post.md___jb_old___, the new file renamed to post.md, the old one deleted.
  jetbrains: async (file, n) => {
    const content = (await readFile(file, 'utf8')).replace(version(n - 1), version(n));
    await writeFile(`${file}___jb_tmp___`, content);
    await rename(file, `${file}___jb_old___`);
    await rename(`${file}___jb_tmp___`, file);
    await rm(`${file}___jb_old___`);
  },
  sed: (file, n) => sed(file, `Version ${n - 1} `, `Version ${n} `),
  // A script's atomic save: a temporary file in the same folder, then `os.replace`.
  python: async (file, n) => {
    const { python3 } = tools.paths as Record<'python3', string>;
    await run(python3, [
      '-c',
      [
        'import os, sys, tempfile',
        'path, old, new = sys.argv[1:]',
        'text = open(path).read().replace(old, new)',
        "with tempfile.NamedTemporaryFile('w', dir=os.path.dirname(path), delete=False) as tmp:",
        '    tmp.write(text)',
        'os.replace(tmp.name, path)',
      ].join('\n'),
      file,
      version(n - 1),
      version(n),
    ]);
  },
  // `git checkout <rev> -- file` deletes the file and creates it anew. The versions 1 to 3 were
  // committed before the server started (tags v1..v3), version 0 last.
  git: async (file, n) => {
    await git('checkout', `v${n}`, '--', file);
  },
};

const git = async (...args: string[]) => {
  const path = (tools.paths as Record<'git', string>).git;
  await run(path, ['-c', 'user.name=Quire test', '-c', 'user.email=test@quire.invalid', ...args], {
    cwd: root,
  });
};

const fileOf = (style: string) => join(posts, `${style}.md`);
// A copy of the theme with a line to change: a template is watched like a post.
const templates = join(root, 'templates');
const BASE_TEMPLATE = join(templates, 'base.njk');
const templateVersion = (n: number) => `<p>template version ${n}</p>`;
if (!tools.skip) {
  await cp(REPO_TEMPLATES, templates, { recursive: true });
  const base = await readFile(BASE_TEMPLATE, 'utf8');
  assert.ok(base.includes('</footer>'));
  await writeFile(BASE_TEMPLATE, base.replace('</footer>', `${templateVersion(0)}</footer>`));
  await git('init', '--quiet');
  for (const n of [1, 2, 3, 0]) {
    await writeFile(fileOf('git'), source('git', n));
    await git('add', fileOf('git'));
    await git('commit', '--quiet', '-m', `version ${n}`);
    if (n > 0) await git('tag', `v${n}`);
  }
  for (const style of Object.keys(styles))
    if (style !== 'git') await writeFile(fileOf(style), source(style, 0));
}

const dev = tools.skip
  ? undefined
  : await startDevServer({
      POSTS_DIR: posts,
      TEMPLATES_DIR: templates,
      CACHE_DIR: await tempDir('quire-dev-saves-cache-'),
      LOG_LEVEL: 'info',
    });

const page = async (slug: string) => {
  const response = await fetch(`${dev?.url}/posts/${slug}`);
  assert.equal(response.status, 200);
  return response.text();
};
const serves = (slug: string, text: string) =>
  eventually(async () => assert.ok((await page(slug)).includes(text), `${slug}: ${text}`), 5_000);

describe(
  'dev server: saves that replace the post are seen every time',
  { skip: tools.skip },
  () => {
    for (const [style, save] of Object.entries(styles)) {
      it(`${style}, three saves of the same post, then a plain write`, async () => {
        const file = fileOf(style);
        await serves(style, version(0));
        for (const n of [1, 2, 3]) {
          // Held open, the old file keeps its inode (a deleted file's number can be reused).
          const before = await open(file);
          try {
            await save(file, n);
            assert.equal((await before.stat()).nlink, 0, `save ${n} replaced the file`);
          } finally {
            await before.close();
          }
          assert.ok((await readFile(file, 'utf8')).includes(version(n)), `save ${n} wrote it`);
          await serves(style, version(n));
        }
        await writeFile(file, source(style, 4));
        await serves(style, version(4));
      });
    }

    it('a template saved with `sed -i` three times: the pages show each save', async () => {
      for (const n of [1, 2, 3]) {
        await sed(BASE_TEMPLATE, `template version ${n - 1}`, `template version ${n}`);
        await serves('python', templateVersion(n));
      }
    });
  },
);
