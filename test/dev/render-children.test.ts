/**
 * `npm run dev`, started through npm as the README says, on a blog big enough for the render
 * pool and with an empty cache (issue #15): `node --watch` gives the dev server
 * `WATCH_REPORT_DEPENDENCIES=1`, whose module reports on the render children's channel were once
 * taken for a failed reply. It must render in child processes, become ready and serve an edit.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { it } from 'node:test';
import { request } from 'undici';
import { tempDir } from '../helpers/posts-dir.ts';
import { mostAtOnce } from '../helpers/process-tree.ts';
import {
  blogForRenderChildren,
  isRenderChild,
  listeningOrExit,
  titleOf,
} from '../helpers/render-children.ts';
import { startNpmScript } from '../helpers/server-process.ts';
import { eventually } from './dev-process.ts';

it('npm run dev on an empty cache renders in children, becomes ready and serves an edit', async () => {
  const posts = await tempDir('quire-dev-children-posts-');
  const cache = join(await tempDir('quire-dev-children-cache-'), 'cache');
  const slugs = await blogForRenderChildren(posts);
  const server = startNpmScript('dev', { POSTS_DIR: posts, CACHE_DIR: cache });
  assert.ok(server.child.pid);
  const listening = listeningOrExit(server);
  const children = mostAtOnce(server.child.pid, isRenderChild, listening);
  const base = await listening;
  const { most, environments } = await children;
  assert.ok(most >= 2, 'rendered in two or more child processes');
  for (const environment of environments.values()) {
    assert.equal(environment.WATCH_REPORT_DEPENDENCIES, undefined, "not node --watch's");
  }

  const slug = slugs[0] as string;
  const page = async () => {
    const response = await request(`${base}/posts/${slug}`);
    return { status: response.statusCode, body: await response.body.text() };
  };
  const before = await page();
  assert.equal(before.status, 200);
  assert.ok(before.body.includes(await titleOf(posts, slug)));

  const edit = `Edited while the dev server runs, ${Date.now()}.`;
  const file = join(posts, `${slug}.md`);
  await writeFile(file, `${await readFile(file, 'utf8')}\n${edit}\n`);
  await eventually(async () => {
    const after = await page();
    assert.equal(after.status, 200);
    assert.ok(after.body.includes(edit), 'the edit is served');
  }, 20_000);
  assert.deepEqual(
    server.logLines().filter((line) => line.level === 'fatal'),
    [],
  );
});
