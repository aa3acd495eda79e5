/* eslint-disable @typescript-eslint/no-explicit-any -- the page's globals, see below */
/**
 * Code blocks in a real Chromium (issue #3): the copy button puts exactly the code on the
 * clipboard, and without JavaScript the blocks are still complete, just without the button.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { requireTools } from '../../helpers/require-tool.ts';
import { launchChromium, startSampleSite, watchProblems } from './chromium.ts';

// Callbacks passed to page.evaluate() run in Chromium. The project is typed for Node only (the
// DOM lib would clash with Node's own web-stream types), so the page's globals are declared
// loosely here, for this file alone.
declare const document: any, navigator: any;

const tools = requireTools(['chromium'], 'apt-get install chromium');
const POST = '/posts/how-quire-renders-a-post';
const SOURCE = new URL('../../../posts/how-quire-renders-a-post.md', import.meta.url);

/** The contents of every fenced block in a Markdown file, as written. */
async function fencedBlocks(file: URL): Promise<string[]> {
  const markdown = await readFile(file, 'utf8');
  return [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)\n```$/gm)].map((m) => m[1] ?? '');
}

describe('code blocks in Chromium', { skip: tools.skip }, async () => {
  let browser: Browser;
  let base: string;
  if (tools.skip === false) {
    [browser, base] = await Promise.all([launchChromium(tools.paths.chromium), startSampleSite()]);
  }

  it('the copy button copies exactly the code of its block', async () => {
    const context = await browser.newContext();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    const problems = await watchProblems(context);
    const page = await context.newPage();
    await page.goto(base + POST);

    const expected = await fencedBlocks(SOURCE);
    const buttons = page.locator('.code-block .copy-button');
    assert.equal(await buttons.count(), expected.length, 'one button per block');
    for (const index of [0, expected.length - 1]) {
      const button = buttons.nth(index);
      assert.equal(await button.textContent(), 'Copy');
      await button.click();
      await page.waitForFunction(
        (i) => document.querySelectorAll('.copy-button')[i]?.textContent === 'Copied',
        index,
      );
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assert.equal(copied, expected[index], `block ${index}`);
      assert.equal(
        await page.locator('.code-block [role="status"]').nth(index).textContent(),
        'Code copied to the clipboard',
        'screen readers hear that it worked',
      );
    }
    await context.close();
    assert.deepEqual(problems, { console: [], exceptions: [], cspViolations: [] });
  });

  it('without JavaScript every block is there, readable and labelled, with no button', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(base + POST);
    const blocks = await page.locator('.code-block pre code').allTextContents();
    assert.deepEqual(blocks, await fencedBlocks(SOURCE));
    assert.equal(await page.locator('.copy-button').count(), 0);
    assert.ok((await page.locator('.code-block .code-lang').count()) > 0, 'language labels');
    await context.close();
  });
});
