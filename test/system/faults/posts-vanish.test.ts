/**
 * The posts directory vanishing while Quire serves (issue #20). In production (the short mode
 * of bench/soak/cases/posts-vanish.ts, a cluster under load) every request is still answered
 * 200 from what was loaded. In the dev server, the folder's files all seem deleted at once: it
 * keeps the posts as they were and says on every page and in the terminal why, until the
 * directory is back; the pages directory is not the posts directory, so a page's edit still shows.
 */
import assert from 'node:assert/strict';
import { appendFile, cp, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { postsVanishUnderLoad } from '../../../bench/soak/cases/posts-vanish.ts';
import { eventually, startDevServer } from '../../dev/dev-process.ts';
import { tempDir } from '../../helpers/posts-dir.ts';
import { ROOT } from '../nginx/harness.ts';

const GONE = /the posts directory is gone \(renamed or deleted\)/;

describe('the posts directory vanishing while serving', () => {
  it('production, under load: every request answered 200, no worker lost', async (t) => {
    const figures = await postsVanishUnderLoad({ short: true });
    t.diagnostic(JSON.stringify(figures));
    assert.ok(figures.pages > 5, 'every page of the sample blog under load');
    assert.ok(figures.answeredAfter > 100, 'a real load after it was gone');
    assert.deepEqual(figures.problems, [], 'the targets of the case');
  });

  it('the dev server: the posts stay, with the reason on every page and in the terminal, until it is back', async () => {
    const dir = await tempDir();
    const postsDir = join(dir, 'posts');
    const pagesDir = join(dir, 'pages');
    await cp(join(ROOT, 'posts'), postsDir, { recursive: true });
    await cp(join(ROOT, 'pages'), pagesDir, { recursive: true });
    const dev = await startDevServer({
      POSTS_DIR: postsDir,
      PAGES_DIR: pagesDir,
      CACHE_DIR: join(dir, 'cache'),
    });
    const page = async (path: string) => {
      const response = await fetch(new URL(path, dev.url));
      return { status: response.status, body: await response.text() };
    };
    const before = await page('/');
    assert.doesNotMatch(before.body, /dev-banner/);

    await rename(postsDir, join(dir, 'moved-away'));
    const home = await eventually(async () => {
      const answer = await page('/');
      assert.match(answer.body, GONE);
      return answer;
    });
    assert.equal(home.status, 200);
    assert.equal(
      home.body.match(/<article/g)?.length,
      before.body.match(/<article/g)?.length,
      'the same posts listed',
    );
    const post = await page('/posts/writing-a-post');
    assert.equal(post.status, 200, 'a post still serves');
    assert.match(post.body, GONE);
    assert.ok(
      dev.stderrLines().some((line) => line.startsWith(`${postsDir}:1: `) && GONE.test(line)),
      'the terminal says so as a file:line line',
    );
    // Only the posts wait for their directory: a page edited meanwhile is served as it is now.
    await appendFile(join(pagesDir, 'about.md'), '\nEdited while the posts were away.\n');
    await eventually(async () => {
      const about = await page('/about/');
      assert.equal(about.status, 200);
      assert.match(about.body, /Edited while the posts were away\./);
      assert.match(about.body, GONE, 'the posts directory is still said to be gone');
    });

    await rename(join(dir, 'moved-away'), postsDir);
    await eventually(async () => assert.doesNotMatch((await page('/')).body, /dev-banner/));
    assert.ok(dev.stderrLines().includes(`${postsDir}: fixed`));
    assert.equal(dev.child.exitCode, null, 'still running');
  });
});
