/* eslint-disable @typescript-eslint/no-explicit-any -- the page's globals, see below */
/**
 * Images beside posts in a real Chromium (issue #18), on the sample blog's post folder: the page
 * does not move as its images arrive (cumulative layout shift 0, from the browser's own
 * PerformanceObserver), and the browser fetches the AVIF variant a `<picture>` offers, not the
 * original. The images are held back while the text paints, as on a slow network, and the same
 * page without the images' sizes is measured too, to show the probe sees a shift when there is
 * one.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { requireTools } from '../../helpers/require-tool.ts';
import { launchChromium, startSampleSite, watchProblems } from './chromium.ts';

// Callbacks passed to page.evaluate() run in Chromium (see chromium.ts).
declare const document: any, window: any, PerformanceObserver: any;

const tools = requireTools(['chromium'], 'apt-get install chromium');
const POST = '/posts/images-and-covers';
/** How long each image is held back: long enough for the text to be painted first. */
const IMAGE_DELAY_MS = 400;

/** Sums every layout shift not caused by input, from the first paint on (buffered). */
async function recordLayoutShifts(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    window.__layoutShift = 0;
    new PerformanceObserver((list: any) => {
      for (const entry of list.getEntries())
        if (!entry.hadRecentInput) window.__layoutShift += entry.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
}

/** Delays every `/media/` response; `strip` takes the images' sizes out of the page. */
async function slowImages(context: BrowserContext, strip = false): Promise<void> {
  await context.route('**/media/**', async (route) => {
    await sleep(IMAGE_DELAY_MS);
    await route.continue();
  });
  if (strip) {
    await context.route(`**${POST}`, async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace(/ (?:width|height)="\d+"/g, '');
      await route.fulfill({ response, body });
    });
  }
}

/** Loads the post, scrolls to its end and back, and waits for every image to arrive. */
async function layoutShiftOf(browser: Browser, base: string, strip: boolean) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const problems = await watchProblems(context);
  await recordLayoutShifts(context);
  await slowImages(context, strip);
  const page = await context.newPage();
  const avif: string[] = [];
  const originals: string[] = [];
  page.on('requestfinished', (request) => {
    const url = request.url();
    if (/\/media\/.*-\d+w\.avif$/.test(url)) avif.push(url);
    if (/\/media\/images-and-covers\/hills-at-sunset\.[0-9a-f]{10}\.jpg$/.test(url))
      originals.push(url);
  });
  const response = await page.goto(base + POST);
  assert.equal(response?.status(), 200);
  // Lazy images load as the reader scrolls near them.
  for (let y = 0; y < 20; y++) {
    await page.evaluate(() => window.scrollBy(0, window.innerHeight / 2));
    await sleep(50);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForFunction(() =>
    [...document.images].every((image: any) => image.complete && image.naturalWidth > 0),
  );
  await sleep(200); // a shift is reported after the frame it happened in
  const result = await page.evaluate(() => ({
    shift: window.__layoutShift as number,
    cover: document.querySelector('.post-cover img').currentSrc as string,
  }));
  await context.close();
  assert.deepEqual(problems, { console: [], exceptions: [], cspViolations: [] });
  return { ...result, avif, originals };
}

describe('images in Chromium', { skip: tools.skip }, async () => {
  let browser: Browser;
  let base: string;
  if (tools.skip === false) {
    [browser, base] = await Promise.all([launchChromium(tools.paths.chromium), startSampleSite()]);
  }

  it('the page does not move as its images arrive: cumulative layout shift 0', async () => {
    const { shift } = await layoutShiftOf(browser, base, false);
    assert.equal(shift, 0);
  });

  it('(the probe sees the shift of the same page without the images’ sizes)', async () => {
    const { shift } = await layoutShiftOf(browser, base, true);
    assert.ok(shift > 0.05, `layout shift ${shift}`);
  });

  it('fetches the AVIF variant of a picture, never the original', async () => {
    const { cover, avif, originals } = await layoutShiftOf(browser, base, false);
    assert.match(cover, /\/media\/images-and-covers\/hills-at-sunset\.[0-9a-f]{10}-\d+w\.avif$/);
    assert.ok(avif.includes(cover), 'the cover came as AVIF');
    assert.deepEqual(originals, [], 'the JPEG itself is never downloaded');
  });
});
