/* eslint-disable @typescript-eslint/no-explicit-any -- the page's globals, see below */
/**
 * The reader's pages in a real Chromium (issues #3 and #19): screenshots for a person to look at,
 * the colour schemes, phone widths, keyboard access, no console errors or CSP violations, and no
 * axe-core violation of any impact.
 *
 * Screenshots of every page of audited-pages.ts, at 1280 and 390 px wide, light and dark, go to
 * test-results/screenshots/ (not committed): open them after a theme change.
 */
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { requireTools } from '../../helpers/require-tool.ts';
import { AUDITED_PAGES } from './audited-pages.ts';
import {
  describeViolations,
  launchChromium,
  runAxe,
  startSampleSite,
  type PageProblems,
  watchProblems,
} from './chromium.ts';

// Callbacks passed to page.evaluate() run in Chromium. The project is typed for Node only (the
// DOM lib would clash with Node's own web-stream types), so the page's globals are declared
// loosely here, for this file alone.
declare const document: any, window: any, location: any;
declare function getComputedStyle(element: unknown, pseudo?: string): any;

const tools = requireTools(['chromium'], 'apt-get install chromium');
const SCREENSHOTS = new URL('../../../test-results/screenshots/', import.meta.url);

/** A long sample post with code blocks, a table of contents and footnotes. */
const POST = '/posts/how-quire-renders-a-post';
const NOT_FOUND = AUDITED_PAGES.filter((page) => page.status === 404).map((page) => page.path);

/** Console errors but the browser's report of a 404 document it was asked to load. */
const unexpectedErrors = (problems: PageProblems) =>
  problems.console.filter(
    (text) =>
      !/404 \(Not Found\)|status of 404/.test(text) ||
      !NOT_FOUND.some((path) => text.includes(path)),
  );
const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 900 } },
  phone: {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
  },
} as const;
const SCHEMES = ['light', 'dark'] as const;

describe('the reader’s pages in Chromium', { skip: tools.skip }, async () => {
  let browser: Browser;
  let base: string;
  if (tools.skip === false) {
    [browser, base] = await Promise.all([launchChromium(tools.paths.chromium), startSampleSite()]);
    await mkdir(SCREENSHOTS, { recursive: true });
  }

  it('renders every audited page in both schemes at desktop and phone widths (screenshots)', async () => {
    for (const [device, options] of Object.entries(VIEWPORTS)) {
      for (const colorScheme of SCHEMES) {
        const context = await browser.newContext({ ...options, colorScheme });
        const problems = await watchProblems(context);
        const page = await context.newPage();
        for (const { name, path, status } of AUDITED_PAGES) {
          const response = await page.goto(base + path);
          assert.equal(response?.status(), status, path);
          const where = `${path} ${colorScheme} ${device}`;
          await page.screenshot({
            path: new URL(`${name}-${colorScheme}-${device}.png`, SCREENSHOTS).pathname,
            fullPage: true,
          });

          const looks = await page.evaluate(() => {
            const style = (selector: string) => {
              const element = document.querySelector(selector);
              return element ? getComputedStyle(element) : undefined;
            };
            const token = document.querySelector('.shiki span[style]');
            return {
              background: style('body')?.backgroundColor,
              token: token ? getComputedStyle(token).color : undefined,
              tokenLight: token?.style.getPropertyValue('--shiki-light'),
              tokenDark: token?.style.getPropertyValue('--shiki-dark'),
              overflow: document.documentElement.scrollWidth - window.innerWidth,
              charsPerLine: charsPerLine(document.querySelector('.post-body > p')),
            };
            /** Average characters per line of a paragraph: its text over its line count. */
            function charsPerLine(paragraph: any): number | undefined {
              if (!paragraph?.textContent) return undefined;
              const lineHeight = Number.parseFloat(getComputedStyle(paragraph).lineHeight);
              const lines = Math.round(paragraph.getBoundingClientRect().height / lineHeight);
              return paragraph.textContent.length / lines;
            }
          });
          assert.equal(
            looks.background,
            colorScheme === 'light' ? 'rgb(255, 255, 255)' : 'rgb(13, 17, 23)',
            `${where}: page background follows the scheme`,
          );
          assert.ok(looks.overflow <= 0, `${where}: no sideways scrolling (${looks.overflow}px)`);
          if (name === 'post') {
            // A comfortable measure: 60 to 80 characters per line on a wide screen.
            const perLine = looks.charsPerLine ?? 0;
            if (device === 'desktop') {
              assert.ok(perLine >= 60 && perLine <= 80, `${where}: ${perLine} characters per line`);
            }
            const expected = colorScheme === 'light' ? looks.tokenLight : looks.tokenDark;
            assert.ok(expected, `${where}: highlighted code`);
            assert.equal(looks.token, hexToRgb(expected), `${where}: Shiki follows the scheme`);
          }
        }
        await context.close();
        assert.deepEqual(unexpectedErrors(problems), []);
        assert.deepEqual(problems.exceptions, []);
        assert.deepEqual(problems.cspViolations, []);
      }
    }
  });

  it('has no axe-core violation of any impact, in either scheme, wide or narrow', async () => {
    // writing-a-post has a task list (checkboxes), a table, numbered code lines and a byline;
    // images-and-covers a cover, pictures and an SVG; /about/ is a standalone page (issue #18).
    // Every page has the site file's menu and social links.
    const paths = [
      ...AUDITED_PAGES.map((page) => page.path),
      '/posts/writing-a-post',
      '/posts/images-and-covers',
      '/about/',
      '/tags/',
      '/archive/',
    ];
    for (const [device, options] of Object.entries(VIEWPORTS)) {
      for (const colorScheme of SCHEMES) {
        const context = await browser.newContext({ ...options, colorScheme });
        const problems = await watchProblems(context);
        const page = await context.newPage();
        for (const path of paths) {
          const response = await page.goto(base + path);
          assert.equal(response?.status(), NOT_FOUND.includes(path) ? 404 : 200, path);
          const violations = await runAxe(page);
          const where = `${path} (${colorScheme}, ${device})`;
          assert.equal(violations.length, 0, `${where}:\n${describeViolations(violations)}`);
        }
        await context.close();
        assert.deepEqual(unexpectedErrors(problems), []);
        assert.deepEqual(problems.cspViolations, []);
        assert.deepEqual(problems.exceptions, []);
      }
    }
  });

  it('keyboard users get a visible skip link first, and it moves focus to the content', async () => {
    const context = await browser.newContext(VIEWPORTS.desktop);
    const page = await context.newPage();
    await page.goto(base + POST);
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => {
      const element = document.activeElement;
      const box = element.getBoundingClientRect();
      const style = getComputedStyle(element);
      return {
        text: element.textContent,
        visible: box.top >= 0 && box.bottom <= window.innerHeight && box.width > 0,
        outline: style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2,
      };
    });
    assert.deepEqual(skip, { text: 'Skip to content', visible: true, outline: true });
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'main');
    await context.close();
  });

  it('prints the text: no navigation or buttons, black on white, link addresses shown', async () => {
    const context = await browser.newContext({ ...VIEWPORTS.desktop, colorScheme: 'dark' });
    const page = await context.newPage();
    await page.goto(base + POST);
    await page.emulateMedia({ media: 'print' });
    const printed = await page.evaluate(() => {
      const style = (selector: string) => getComputedStyle(document.querySelector(selector));
      const external = document.querySelector('.post-body a[href^="http"]');
      return {
        nav: style('.site-nav').display,
        toc: style('.toc').display,
        copy: style('.copy-button').display,
        text: style('body').color,
        background: style('body').backgroundColor,
        linkAddress: getComputedStyle(external, '::after').content,
        href: external.getAttribute('href'),
      };
    });
    assert.deepEqual(
      { ...printed, linkAddress: undefined, href: undefined },
      {
        nav: 'none',
        toc: 'none',
        copy: 'none',
        text: 'rgb(0, 0, 0)',
        background: 'rgb(255, 255, 255)',
        linkAddress: undefined,
        href: undefined,
      },
    );
    assert.equal(printed.linkAddress, `" (${printed.href})"`);
    await context.close();
  });

  it('shows a table of contents on a long post that jumps to its sections', async () => {
    const context = await browser.newContext(VIEWPORTS.desktop);
    const page = await context.newPage();
    await page.goto(base + POST);
    const links = page.locator('nav.toc a');
    assert.ok((await links.count()) >= 3);
    const target = (await links.nth(1).getAttribute('href')) ?? '';
    await links.nth(1).click();
    // Scrolling is smooth (unless the reader prefers reduced motion): wait until it lands.
    await page.waitForFunction((id) => {
      const top = document
        .getElementById(decodeURIComponent(id.slice(1)))
        ?.getBoundingClientRect().top;
      return location.hash === id && top !== undefined && top >= 0 && top < 50;
    }, target);
    await context.close();
  });
});

function hexToRgb(hex: string): string {
  const value = hex.trim().replace('#', '');
  const [r, g, b] = [0, 2, 4].map((i) => Number.parseInt(value.slice(i, i + 2), 16));
  return `rgb(${r}, ${g}, ${b})`;
}
