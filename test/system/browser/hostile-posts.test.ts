/* eslint-disable @typescript-eslint/no-explicit-any -- the page's globals, see below */
/**
 * Sanitized hostile posts in a real Chromium (issue #20): every piece of the XSS corpus that
 * test/content/hostile-posts.test.ts combines and checks with parse5 (test/helpers/xss-pieces.ts)
 * is served as a post of its own, and all of them together as one more. Each page is loaded
 * twice: with the site's CSP, where no violation may be reported (nothing even tried to run),
 * and with the CSP bypassed, where the sanitizer alone must keep every payload inert: no dialog
 * (each payload calls `alert(1)`, or sets a global in the variant post), no console message from
 * a payload, after every element has had mouseover, click and focus events dispatched on it.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { tempDir, writePosts } from '../../helpers/posts-dir.ts';
import { startServer } from '../../helpers/server-process.ts';
import { XSS_PIECES } from '../../helpers/xss-pieces.ts';
import { requireTools } from '../../helpers/require-tool.ts';
import { launchChromium, watchProblems } from './chromium.ts';

// Callbacks passed to page.evaluate() run in Chromium; the project is typed for Node only.
declare const document: any, window: any;

const tools = requireTools(['chromium'], 'apt-get install chromium');

/** One post per piece, the whole corpus in one, and the corpus setting a global instead. */
function hostilePosts(): Record<string, { title: string; body: string }> {
  const posts: Record<string, { title: string; body: string }> = {};
  XSS_PIECES.forEach((piece, i) => {
    posts[`xss-${i}.md`] = { title: `Hostile ${i}`, body: `Before.\n\n${piece}\n\nAfter.\n` };
  });
  posts['xss-all.md'] = { title: 'All of them', body: XSS_PIECES.join('\n\n') };
  posts['xss-global.md'] = {
    title: 'Setting a global',
    body: XSS_PIECES.join('\n\n').replaceAll('alert(1)', 'window.__quireXss=1'),
  };
  return posts;
}

async function startHostileSite(): Promise<{ base: string; slugs: string[] }> {
  const dir = await tempDir('quire-xss-');
  const postsDir = join(dir, 'posts');
  const posts = hostilePosts();
  await mkdir(postsDir);
  await writePosts(postsDir, posts);
  // The files the pieces name as relative references (issue #18 checks them): a missing one would
  // stop the start, and this test is about what a browser runs of what is served.
  for (const name of ['x', 'java\tscript:alert(1)', 'java\tscript:window.__quireXss=1'])
    await writeFile(join(postsDir, name), 'x');
  const server = startServer({
    WORKERS: '1',
    POSTS_DIR: postsDir,
    PAGES_DIR: join(dir, 'no-pages'),
    CACHE_DIR: join(dir, 'cache'),
  });
  const exited = server.exited.then((code) => {
    throw new Error(
      `server exited (${code}) before listening:\n${server.stderr()}${server.stdoutLines.join('\n')}`,
    );
  });
  const base = await Promise.race([server.listening, exited]);
  return { base, slugs: Object.keys(posts).map((name) => name.replace(/\.md$/, '')) };
}

interface Ran {
  dialogs: string[];
  payloadConsole: string[];
  globals: number;
}

/** Loads every post in `context`, pokes every element of the article, and reports what ran. */
async function loadAll(context: BrowserContext, base: string, slugs: string[]): Promise<Ran> {
  const ran: Ran = { dialogs: [], payloadConsole: [], globals: 0 };
  context.on('dialog', (dialog) => {
    ran.dialogs.push(`${dialog.page()?.url() ?? '?'}: ${dialog.type()} ${dialog.message()}`);
    void dialog.dismiss();
  });
  context.on('console', (message) => {
    if (/quireXss|alert/.test(message.text())) ran.payloadConsole.push(message.text());
  });
  const page = await context.newPage();
  for (const slug of slugs) {
    const response = await page.goto(`${base}/posts/${slug}`);
    assert.equal(response?.status(), 200, slug);
    await page.evaluate(() => {
      for (const element of document.querySelectorAll('main *')) {
        // A plain Event, not a MouseEvent: handlers run, but no link is followed and no form
        // sent (activation behaviour comes with mouse events only).
        for (const type of ['click', 'mouseover', 'focus', 'toggle', 'animationstart']) {
          element.dispatchEvent(new window.Event(type));
        }
      }
    });
    // Let anything scheduled (an image's onerror, a toggle) run.
    await page.waitForTimeout(50);
    if ((await page.evaluate(() => window.__quireXss as unknown)) !== undefined) ran.globals++;
  }
  await page.close();
  return ran;
}

describe('hostile posts in Chromium (#20)', { skip: tools.skip }, async () => {
  let browser: Browser;
  let site: { base: string; slugs: string[] };
  if (tools.skip === false) {
    [browser, site] = await Promise.all([launchChromium(tools.paths.chromium), startHostileSite()]);
  }

  it('with the CSP: nothing runs and nothing even tries (no violation reported)', async () => {
    const context = await browser.newContext();
    const problems = await watchProblems(context);
    const ran = await loadAll(context, site.base, site.slugs);
    await context.close();
    assert.deepEqual(ran, { dialogs: [], payloadConsole: [], globals: 0 });
    assert.deepEqual(problems.cspViolations, []);
    assert.deepEqual(problems.exceptions, []);
  });

  it('with the CSP bypassed: the sanitized HTML alone runs nothing', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const ran = await loadAll(context, site.base, site.slugs);
    await context.close();
    assert.deepEqual(ran, { dialogs: [], payloadConsole: [], globals: 0 });
  });
});
