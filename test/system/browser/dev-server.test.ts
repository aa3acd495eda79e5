/**
 * The dev server's live reload under the Content-Security-Policy, in a real Chromium: its
 * script (`/__dev/reload.js`, a file, never inline) runs, its EventSource may connect to our
 * own origin, and saving a post reloads the page.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startDevServer } from '../../dev/dev-process.ts';
import { postSource, tempDir, writePosts } from '../../helpers/posts-dir.ts';
import { requireTools } from '../../helpers/require-tool.ts';
import { launchChromium, watchProblems } from './chromium.ts';

const tools = requireTools(['chromium'], 'apt-get install chromium');

describe('dev server live reload in Chromium', { skip: tools.skip }, () => {
  it('loads the reload script and reloads the page when the post is saved, with no CSP violation', async () => {
    if (tools.skip !== false) return;
    const posts = await tempDir('quire-browser-dev-posts-');
    const cache = await tempDir('quire-browser-dev-cache-');
    await writePosts(posts, {
      'live.md': { title: 'Live', date: '2026-01-02', body: 'Before.\n' },
    });
    const [browser, dev] = await Promise.all([
      launchChromium(tools.paths.chromium),
      startDevServer({ POSTS_DIR: posts, CACHE_DIR: cache }),
    ]);
    const context = await browser.newContext();
    const problems = await watchProblems(context);
    const page = await context.newPage();
    const eventStream = page.waitForRequest(
      (request) => new URL(request.url()).pathname === '/__dev/events',
    );
    await page.goto(`${dev.url}/posts/live`);
    await eventStream;
    assert.match((await page.textContent('.post-body')) ?? '', /Before\./);
    // The theme may change under the dev server: plain asset names, revalidated on every load.
    const stylesheet = await page.getAttribute('link[rel="stylesheet"]', 'href');
    assert.equal(stylesheet, '/assets/style.css');
    const css = await page.request.get(`${dev.url}${stylesheet}`);
    assert.equal(css.headers()['cache-control'], 'public, max-age=0');

    const reloaded = page.waitForEvent('load', { timeout: 15_000 });
    await writeFile(
      join(posts, 'live.md'),
      postSource({ title: 'Live', date: '2026-01-02', body: 'After.\n' }),
    );
    await reloaded;
    await page.waitForSelector('text=After.');
    await context.close();
    assert.deepEqual(problems, { console: [], exceptions: [], cspViolations: [] });
  });
});
