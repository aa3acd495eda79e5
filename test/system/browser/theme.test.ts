/* eslint-disable @typescript-eslint/no-explicit-any -- the page's globals, see below */
/**
 * The theme's behaviour in a real Chromium (issue #19): the light/dark toggle (remembered, and
 * applied before the first paint), the table of contents closed on phones and open on wide
 * screens without a script, numbered code lines that are never copied, and inline code that
 * breaks only at sensible points on a phone.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { requireTools } from '../../helpers/require-tool.ts';
import { launchChromium, startSampleSite, watchProblems } from './chromium.ts';

// Callbacks passed to page.evaluate() run in Chromium. The project is typed for Node only (the
// DOM lib would clash with Node's own web-stream types), so the page's globals are declared
// loosely here, for this file alone.
declare const document: any, window: any, navigator: any, performance: any, localStorage: any;
declare function getComputedStyle(element: unknown, pseudo?: string): any;

const tools = requireTools(['chromium'], 'apt-get install chromium');
const POST = '/posts/how-quire-renders-a-post';
/** The sample post whose first block is numbered (`{lineNumbers}`). */
const NUMBERED = '/posts/writing-a-post';
const NUMBERED_SOURCE = new URL('../../../posts/writing-a-post.md', import.meta.url);
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } as const;
const DESKTOP = { viewport: { width: 1280, height: 900 } } as const;
const LIGHT_BG = 'rgb(255, 255, 255)';
const DARK_BG = 'rgb(13, 17, 23)';

/** What the page shows now: its theme attribute, background, the toggle's state. */
const looks = (page: Page) =>
  page.evaluate(() => {
    const token = document.querySelector('.shiki span[style]');
    const toggle = document.querySelector('.theme-toggle');
    return {
      theme: document.documentElement.dataset.theme,
      background: getComputedStyle(document.body).backgroundColor,
      pressed: toggle?.getAttribute('aria-pressed'),
      toggleShown: toggle ? getComputedStyle(toggle).display !== 'none' : false,
      token: token ? getComputedStyle(token).color : undefined,
      tokenDark: token?.style.getPropertyValue('--shiki-dark'),
      stored: (() => {
        try {
          return localStorage.getItem('quire-theme');
        } catch {
          return 'unavailable';
        }
      })(),
    };
  });

/** Waits for the page's background to become `colour` (a system change is an event away). */
async function backgroundBecomes(page: Page, colour: string, message: string): Promise<void> {
  try {
    await page.waitForFunction(
      (expected) => getComputedStyle(document.body).backgroundColor === expected,
      colour,
      { timeout: 5000 },
    );
  } catch {
    assert.equal((await looks(page)).background, colour, message);
  }
}

function hexToRgb(hex: string | undefined): string {
  const value = (hex ?? '').trim().replace('#', '');
  const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(value.slice(i, i + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}

/** The text of the first fenced block with `{lineNumbers}` in a Markdown file, as written. */
async function numberedSource(): Promise<string> {
  const markdown = await readFile(NUMBERED_SOURCE, 'utf8');
  const block = /^```[^\n]*\{lineNumbers\}[^\n]*\n([\s\S]*?)\n```$/m.exec(markdown)?.[1];
  assert.ok(block, 'the sample post has a numbered block');
  return block;
}

describe('the theme in Chromium', { skip: tools.skip }, async () => {
  let browser: Browser;
  let base: string;
  if (tools.skip === false) {
    [browser, base] = await Promise.all([launchChromium(tools.paths.chromium), startSampleSite()]);
  }

  const withContext = async (
    options: Parameters<Browser['newContext']>[0],
    run: (context: BrowserContext) => Promise<void>,
  ) => {
    const context = await browser.newContext(options);
    const problems = await watchProblems(context);
    try {
      await run(context);
    } finally {
      await context.close();
    }
    assert.deepEqual(problems, { console: [], exceptions: [], cspViolations: [] });
  };

  it('the toggle switches the theme, and a reload keeps it from before the first paint', async () => {
    await withContext({ ...DESKTOP, colorScheme: 'light' }, async (context) => {
      const page = await context.newPage();
      await page.goto(base + POST);
      const before = await looks(page);
      assert.deepEqual(
        { ...before, token: undefined, tokenDark: undefined },
        {
          theme: 'light',
          background: LIGHT_BG,
          pressed: 'false',
          toggleShown: true,
          token: undefined,
          tokenDark: undefined,
          stored: null,
        },
      );

      await page.getByRole('button', { name: 'Dark theme' }).click();
      const after = await looks(page);
      assert.equal(after.theme, 'dark');
      assert.equal(after.background, DARK_BG);
      assert.equal(after.pressed, 'true');
      assert.equal(after.token, hexToRgb(after.tokenDark), 'code follows the chosen theme');
      assert.equal(after.stored, 'dark', 'remembered');

      // Reload with the stylesheet held back: the page cannot paint until it arrives, so what
      // <html> says meanwhile is what the first paint uses.
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let asked: () => void = () => {};
      const stylesheetAsked = new Promise<void>((resolve) => {
        asked = resolve;
      });
      await page.route('**/assets/style.*.css', async (route) => {
        asked();
        await held;
        await route.continue();
      });
      await page.reload({ waitUntil: 'commit' });
      await stylesheetAsked;
      // The parser is past <head> once <main> exists (interval polling: no frames are drawn).
      await page
        .waitForFunction(() => document.querySelector('main') !== null, undefined, {
          polling: 50,
          timeout: 10_000,
        })
        .catch(() => {
          assert.fail('the parser waits for the stylesheet: a script after it, or blocked by it?');
        });
      const beforePaint = await page.evaluate(() => ({
        theme: document.documentElement.dataset.theme,
        paints: performance.getEntriesByType('paint').length,
      }));
      assert.deepEqual(beforePaint, { theme: 'dark', paints: 0 });
      release();
      await page.waitForLoadState('load');
      const reloaded = await looks(page);
      assert.equal(reloaded.background, DARK_BG);
      assert.equal(reloaded.pressed, 'true');
      await page.unroute('**/assets/style.*.css');
    });
  });

  it('follows the system until the reader chooses, and again once they choose the system’s theme', async () => {
    await withContext({ ...DESKTOP, colorScheme: 'dark' }, async (context) => {
      const page = await context.newPage();
      await page.goto(base + '/');
      assert.deepEqual(
        (({ theme, background, pressed }) => ({ theme, background, pressed }))(await looks(page)),
        { theme: 'dark', background: DARK_BG, pressed: 'true' },
      );
      await page.emulateMedia({ colorScheme: 'light' });
      await backgroundBecomes(page, LIGHT_BG, 'the system changed: so does the page');
      await page.emulateMedia({ colorScheme: 'dark' });
      await backgroundBecomes(page, DARK_BG, 'and back');

      const toggle = page.getByRole('button', { name: 'Dark theme' });
      await toggle.click();
      assert.deepEqual((({ theme, stored }) => ({ theme, stored }))(await looks(page)), {
        theme: 'light',
        stored: 'light',
      });
      await page.emulateMedia({ colorScheme: 'light' });
      await page.emulateMedia({ colorScheme: 'dark' });
      assert.equal((await looks(page)).background, LIGHT_BG, 'the choice wins over the system');

      await toggle.click();
      assert.deepEqual((({ theme, stored }) => ({ theme, stored }))(await looks(page)), {
        theme: 'dark',
        stored: null,
      });
      await page.emulateMedia({ colorScheme: 'light' });
      await backgroundBecomes(page, LIGHT_BG, 'following the system again');
    });
  });

  it('without JavaScript follows the system and shows no toggle', async () => {
    await withContext(
      { ...DESKTOP, colorScheme: 'dark', javaScriptEnabled: false },
      async (context) => {
        const page = await context.newPage();
        await page.goto(base + POST);
        const shown = await page.locator('.theme-toggle').isVisible();
        assert.equal(shown, false);
        const background = await page
          .locator('body')
          .evaluate((body) => getComputedStyle(body).backgroundColor);
        assert.equal(background, DARK_BG);
      },
    );
  });

  it('the contents are closed at 390 px and open at 1280 px, without JavaScript', async () => {
    for (const javaScriptEnabled of [false, true]) {
      await withContext({ ...PHONE, javaScriptEnabled }, async (context) => {
        const page = await context.newPage();
        await page.goto(base + POST);
        const summary = page.locator('.toc summary');
        const firstLink = page.locator('.toc a').first();
        assert.equal(await summary.isVisible(), true);
        assert.equal(await firstLink.isVisible(), false, 'closed on a phone');
        const tocBottom = await page
          .locator('.toc')
          .evaluate((toc) => toc.getBoundingClientRect().bottom);
        const firstParagraph = await page
          .locator('.post-body > p')
          .first()
          .evaluate((p) => p.getBoundingClientRect().top);
        assert.ok(
          firstParagraph < 844,
          `the text starts on the first screen (${firstParagraph}px)`,
        );
        assert.ok(tocBottom < firstParagraph);
        await summary.click();
        assert.equal(await firstLink.isVisible(), true, 'opens when asked');
      });
      await withContext({ ...DESKTOP, javaScriptEnabled }, async (context) => {
        const page = await context.newPage();
        await page.goto(base + POST);
        assert.equal(await page.locator('.toc a').first().isVisible(), true, 'open when wide');
        assert.equal(await page.locator('.toc summary').isVisible(), false);
        assert.equal(await page.locator('.toc-title').isVisible(), true);
        // No "collapsed" state is announced for a list in plain sight.
        const snapshot = await page.locator('nav.toc').ariaSnapshot();
        assert.doesNotMatch(snapshot, /expanded|collapsed/i, snapshot);
        assert.match(snapshot, /heading "Contents"/);
      });
    }
  });

  it('numbers the lines of a {lineNumbers} block, and neither the Copy button nor a selection copies them', async () => {
    const source = await numberedSource();
    await withContext(DESKTOP, async (context) => {
      await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
      const page = await context.newPage();
      await page.goto(base + NUMBERED);
      const block = page.locator('.code-block.line-numbers').first();
      const numbers = await block.locator('.line').evaluateAll((lines) =>
        lines.map((line) => {
          const style = getComputedStyle(line, '::before');
          return { content: style.content, width: Number.parseFloat(style.width) };
        }),
      );
      assert.equal(numbers.length, source.split('\n').length);
      assert.ok(
        numbers.every((n) => n.content === 'counter(line)' && n.width > 0),
        `a number before every line: ${JSON.stringify(numbers)}`,
      );

      await block.locator('.copy-button').click();
      await page.waitForFunction(
        () =>
          document.querySelector('.code-block.line-numbers .copy-button')?.textContent === 'Copied',
      );
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), source);

      await page.evaluate(() => navigator.clipboard.writeText(''));
      await block.locator('pre code').evaluate((code) => {
        const range = document.createRange();
        range.selectNodeContents(code);
        window.getSelection().removeAllRanges();
        window.getSelection().addRange(range);
      });
      await page.keyboard.press('ControlOrMeta+C');
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), source);
    });
  });

  it('inline code breaks only between words or after a separator at 390 and 320 px, and short code never', async () => {
    for (const width of [390, 320]) {
      await inlineCodeBreaksSensibly(width);
    }
  });

  async function inlineCodeBreaksSensibly(width: number): Promise<void> {
    await withContext({ ...PHONE, viewport: { width, height: 844 } }, async (context) => {
      const page = await context.newPage();
      await page.goto(base + '/archive/');
      const posts = await page
        .locator('.archive-list a')
        .evaluateAll((links) => links.map((link) => link.getAttribute('href') as string));
      assert.ok(posts.length >= 5);
      const bad: string[] = [];
      let broken = 0;
      for (const path of posts) {
        await page.goto(base + path);
        const spans = await page.evaluate(() => {
          const found = [];
          // In a table the code scrolls with it, sideways: no line to break.
          for (const code of document.querySelectorAll(':not(pre) > code')) {
            if (code.closest('table')) continue;
            const text = code.textContent;
            /** Offsets of the characters that start a new line. */
            const breaks = [];
            const range = document.createRange();
            const walker = document.createTreeWalker(code, 4 /* NodeFilter.SHOW_TEXT */);
            let offset = 0;
            let top;
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              for (let i = 0; i < node.length; i++) {
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                const rect = range.getClientRects()[0];
                if (!rect || /\s/.test(node.data[i])) continue;
                if (top !== undefined && rect.top > top + 2) breaks.push(offset + i);
                top = rect.top;
              }
              offset += node.length;
            }
            const paragraph = code.parentElement.getBoundingClientRect();
            const overflows = code.getBoundingClientRect().right > paragraph.right + 1;
            found.push({ text, breaks, overflows });
          }
          return found;
        });
        for (const { text, breaks, overflows } of spans) {
          const where = `${width} px, ${path}: \`${text}\``;
          if (overflows) bad.push(`${where} runs past the line`);
          if (breaks.length > 0 && text.length <= 16) bad.push(`${where} is short, yet broken`);
          for (const at of breaks) {
            broken++;
            const before = text.slice(0, at).trimEnd();
            const word = before.split(' ').pop() ?? '';
            const last = before.at(-1) ?? '';
            const next = text[at] ?? '';
            const midWord =
              /[\p{L}\p{N}]/u.test(last) && /[\p{L}\p{N}]/u.test(next) && before.length === at;
            if (midWord) bad.push(`${where} broken inside a word: ${before}⏎${text.slice(at)}`);
            if (/^-+$/.test(word) && before.length === at)
              bad.push(`${where} broken after its leading hyphens: ${before}⏎`);
          }
        }
      }
      assert.deepEqual(bad, []);
      assert.ok(broken > 0, 'long code does break (the sample posts have some)');
    });
  }
});
