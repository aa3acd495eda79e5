/**
 * A cold start that renders in child processes (src/content/render/pool.ts), with real
 * processes started as the README says (`npm start`), on enough generated posts for the pool to
 * start its children (issue #15):
 * - with `WATCH_REPORT_DEPENDENCIES=1` in the environment (what `node --watch` gives), whose
 *   messages on the children's channel were once taken for a failed reply, Quire renders in
 *   children, becomes ready and serves the posts, in one process and in a cluster;
 * - a render child that dies while it has posts stops the start with one fatal line naming the
 *   child, the post and how it died;
 * - a post whose Markdown the renderer throws on, in a child or in this process, is that post's
 *   problem (issue #20): the start logs that problem, the post at its body's first line and why,
 *   then stops with one fatal line counting it.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { postSource, tempDir } from '../helpers/posts-dir.ts';
import { mostAtOnce } from '../helpers/process-tree.ts';
import {
  blogForRenderChildren,
  isRenderChild,
  listeningOrExit,
  titleOf,
} from '../helpers/render-children.ts';
import { KILL_MARKER } from '../helpers/kill-render-child.ts';
import {
  exitWithin,
  type LogLine,
  type ServerProcess,
  startNpmScript,
  startServer,
} from '../helpers/server-process.ts';

const KILL_HOOK = fileURLToPath(new URL('../helpers/kill-render-child.ts', import.meta.url));

/**
 * A body marked nests deeper than the JavaScript stack: its blockquote lexer recurses once per
 * `>` and throws RangeError (Maximum call stack size exceeded), every time.
 */
const TOO_DEEP = `${'>'.repeat(100_000)} too deep\n`;
const TOO_DEEP_PROBLEM =
  'could not be rendered: it is nested too deeply (Maximum call stack size exceeded)';
/** The file line where the body of a post written by `postSource` starts. */
const bodyLine = postSource({ title: 'x', body: '' }).split('\n').indexOf('---', 1) + 2;

async function blog(): Promise<{ posts: string; cache: string; slugs: string[] }> {
  const posts = await tempDir('quire-render-children-posts-');
  const cache = join(await tempDir('quire-render-children-cache-'), 'cache');
  return { posts, cache, slugs: await blogForRenderChildren(posts) };
}

const fatalLines = (server: ServerProcess): LogLine[] =>
  server.logLines().filter((line) => line.level === 'fatal');

describe('a cold start rendering in child processes, WATCH_REPORT_DEPENDENCIES=1 set', () => {
  for (const workers of ['1', '2']) {
    it(`npm start (WORKERS=${workers}) renders in children, becomes ready and serves the posts`, async () => {
      const { posts, cache, slugs } = await blog();
      const server = startNpmScript('start', {
        POSTS_DIR: posts,
        CACHE_DIR: cache,
        WORKERS: workers,
        WATCH_REPORT_DEPENDENCIES: '1',
      });
      assert.ok(server.child.pid);
      const listening = listeningOrExit(server);
      const children = mostAtOnce(server.child.pid, isRenderChild, listening);
      const base = await listening;
      const { most, environments } = await children;
      assert.ok(most >= 2, 'rendered in two or more child processes');
      assert.ok(environments.size >= 2);
      for (const environment of environments.values()) {
        assert.equal(environment.WATCH_REPORT_DEPENDENCIES, undefined, 'not passed on');
        assert.equal(environment.POSTS_DIR, posts, 'the rest is');
      }

      const ready = await request(`${base}/readyz`);
      assert.equal(ready.statusCode, 200);
      await ready.body.dump();
      for (const slug of [slugs[0], slugs.at(-1)] as string[]) {
        const page = await request(`${base}/posts/${slug}`);
        assert.equal(page.statusCode, 200, slug);
        assert.ok((await page.body.text()).includes(await titleOf(posts, slug)), slug);
      }
      assert.deepEqual(fatalLines(server), []);
    });
  }
});

/** The post's problem as its own line (file, line, message), then one fatal line counting it. */
function assertTooDeepProblem(server: ServerProcess, bad: string): void {
  const problems = server.logLines().filter((line) => line.level === 'error');
  assert.deepEqual(
    problems.map((line) => line.msg),
    [`${bad}:${bodyLine}: ${TOO_DEEP_PROBLEM}`],
  );
  const [fatal, ...more] = fatalLines(server);
  assert.deepEqual(more, [], 'one fatal line');
  assert.equal(fatal?.msg, '1 problem in posts');
}

describe('a render child that fails mid-batch', () => {
  for (const workers of ['1', '2']) {
    it(`throwing on a post (WORKERS=${workers}): the post's problem at its line, then one fatal line`, async () => {
      const { posts, cache } = await blog();
      const bad = join(posts, 'too-deep.md');
      await writeFile(bad, postSource({ title: 'Too deep', body: TOO_DEEP }));
      const server = startServer({ POSTS_DIR: posts, CACHE_DIR: cache, WORKERS: workers });
      assert.ok(server.child.pid);
      const children = mostAtOnce(server.child.pid, isRenderChild, server.exited);
      assert.equal(await exitWithin(server, 120_000), 1);

      assertTooDeepProblem(server, bad);
      assert.ok((await children).most >= 2, 'rendered in child processes');
    });
  }

  it('dying while it has a post (killed, as by the OOM killer): one fatal line naming the post', async () => {
    const { posts, cache } = await blog();
    const doomed = join(posts, 'doomed.md');
    await writeFile(doomed, postSource({ title: 'Doomed', body: `${KILL_MARKER}\n` }));
    const server = startServer({
      POSTS_DIR: posts,
      CACHE_DIR: cache,
      WORKERS: '1',
      NODE_OPTIONS: `--import=${KILL_HOOK}`,
    });
    assert.ok(server.child.pid);
    const children = mostAtOnce(server.child.pid, isRenderChild, server.exited);
    assert.equal(await exitWithin(server, 120_000), 1);

    const [fatal, ...more] = fatalLines(server);
    assert.deepEqual(more, [], 'one fatal line');
    assert.ok(fatal?.msg, 'a message');
    assert.match(fatal.msg, /^render child \d+ was killed by SIGKILL while rendering /);
    assert.ok(fatal.msg.includes(doomed), fatal.msg);
    const pid = Number(/render child (\d+)/.exec(fatal.msg)?.[1]);
    assert.ok((await children).pids.has(pid), `${pid} is one of the render children`);
  });

  it('a post that throws rendered in this process (too few posts for children) is named too', async () => {
    const posts = await tempDir('quire-render-children-posts-');
    const bad = join(posts, 'too-deep.md');
    await writeFile(bad, postSource({ title: 'Too deep', body: TOO_DEEP }));
    const server = startServer({
      POSTS_DIR: posts,
      CACHE_DIR: join(await tempDir('quire-render-children-cache-'), 'cache'),
      WORKERS: '1',
    });
    assert.equal(await exitWithin(server, 60_000), 1);
    assertTooDeepProblem(server, bad);
  });
});
