/**
 * A post's first edit after the dev server started from the disk render cache: only its changed
 * code block goes through Shiki (issue #4), and the page is byte for byte what a server that
 * rendered everything itself serves. Real processes, real file writes, a real SSE client.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fetch } from 'undici';
import { postSource, tempDir, writePosts } from '../helpers/posts-dir.ts';
import { type DevProcess, eventually, openEvents, startDevServer } from './dev-process.ts';

const body = (n: number, ts: string) =>
  `Post ${n}.\n\n\`\`\`ts\n${ts}\n\`\`\`\n\n\`\`\`python\nprint("post ${n}")\n\`\`\`\n`;
const edited = (ts: string) =>
  postSource({ title: 'Edited', date: '2026-02-01', body: body(9, ts) });

const posts = await tempDir('quire-dev-first-posts-');
const cache = await tempDir('quire-dev-first-cache-');
// The dev server warms Shiki by rendering the first few posts of each language in this
// process: the `a-` posts take those places, so `z-edited`'s blocks are not in the memo.
await writePosts(posts, {
  ...Object.fromEntries(
    [1, 2, 3, 4, 5].map((n) => [
      `a-${n}.md`,
      { title: `A ${n}`, date: `2026-01-0${n}`, body: body(n, `const a = ${n};`) },
    ]),
  ),
  'z-edited.md': edited('const kept = 1;'),
});

const env = { POSTS_DIR: posts, LOG_LEVEL: 'info' };

/** Starts a dev server and waits until its renderer is warm (the warm-up renders posts too). */
async function start(cacheDir: string): Promise<DevProcess> {
  const dev = await startDevServer({ ...env, CACHE_DIR: cacheDir });
  await eventually(async () =>
    assert.ok(dev.logLines().some((line) => line.msg === 'renderer warmed')),
  );
  return dev;
}

async function stop(dev: DevProcess): Promise<void> {
  const exited = once(dev.child, 'exit');
  dev.child.kill('SIGTERM');
  await exited;
}

const page = async (dev: DevProcess, path: string) => {
  const response = await fetch(`${dev.url}${path}`);
  assert.equal(response.status, 200);
  return response.text();
};

describe('dev server, first edit of a post read from the render cache', () => {
  it('re-highlights only the changed code block', async () => {
    await stop(await start(cache)); // fills the render cache

    const dev = await start(cache);
    const loaded = dev.logLines().find((line) => line.msg === 'site loaded');
    assert.equal(loaded?.quire?.rendered, 0, 'every post came from the render cache');
    const events = await openEvents(dev.url);
    try {
      await writeFile(join(posts, 'z-edited.md'), edited('const changed = 2;'));
      await events.next((paths) => paths.includes('/posts/z-edited'));
    } finally {
      await events.close();
    }
    const renders = dev.logLines().filter((line) => line.msg === 'post re-rendered');
    assert.equal(renders.length, 1);
    assert.equal(renders[0]?.quire?.shikiCalls, 1, 'the python block came from the cached render');
    const served = await page(dev, '/posts/z-edited');
    assert.match(served, /changed/);
    await stop(dev);

    // The same post rendered from scratch (another cache directory): the same bytes.
    const fresh = await start(await tempDir('quire-dev-first-fresh-'));
    assert.equal(await page(fresh, '/posts/z-edited'), served);
    await stop(fresh);
  });
});
