/**
 * Search (issue #19) in a real Chromium on the sample blog: the form works with JavaScript off
 * (the CSP's `form-action` lets it send), results are accessible to axe-core in both schemes,
 * and the W3C Nu checker (vnu-jar) finds the search pages valid HTML.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { tempDir } from '../../helpers/posts-dir.ts';
import { requireTools } from '../../helpers/require-tool.ts';
import {
  describeViolations,
  launchChromium,
  runAxe,
  startSampleSite,
  watchProblems,
} from './chromium.ts';

const tools = requireTools(['chromium', 'java'], 'apt-get install chromium default-jre-headless');
// The package's main export is the path of its jar.
const VNU = createRequire(import.meta.url)('vnu-jar') as string;
const DESKTOP = { viewport: { width: 1280, height: 900 } };

describe('search in Chromium', { skip: tools.skip }, async () => {
  let browser: Browser;
  let base: string;
  if (tools.skip === false)
    [browser, base] = await Promise.all([launchChromium(tools.paths.chromium), startSampleSite()]);

  it('finds posts through the form with JavaScript off, from the menu to the marked words', async () => {
    const context = await browser.newContext({ ...DESKTOP, javaScriptEnabled: false });
    const problems = await watchProblems(context);
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page
      .getByRole('navigation', { name: 'Site' })
      .getByRole('link', { name: 'Search' })
      .click();
    await page.getByRole('searchbox', { name: 'Search the posts' }).fill('kubernets');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?q=kubernets$/);
    const results = page.locator('.search-result');
    assert.ok((await results.count()) >= 2);
    assert.equal(
      await results.first().getByRole('link').textContent(),
      'Deploying Quire to Kubernetes',
    );
    assert.match(
      (await results.first().locator('mark').first().textContent()) ?? '',
      /kubernetes/i,
    );
    assert.equal(await page.getByRole('searchbox').inputValue(), 'kubernets');
    await context.close();
    assert.deepEqual(problems, { console: [], exceptions: [], cspViolations: [] });
  });

  it('has no serious or critical axe-core violation, in either scheme', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({ ...DESKTOP, colorScheme });
      const page = await context.newPage();
      for (const path of ['/search', '/search?q=quire', '/search?q=tag:nothing']) {
        assert.equal((await page.goto(base + path))?.status(), 200, path);
        const bad = (await runAxe(page)).filter(
          (v) => v.impact === 'serious' || v.impact === 'critical',
        );
        assert.equal(bad.length, 0, `${path} (${colorScheme}):\n${describeViolations(bad)}`);
      }
      await context.close();
    }
  });

  it('serves valid HTML5 for the form, results, no result and a refused search', async () => {
    const dir = await tempDir();
    const pages = ['/search', '/search?q=quire%20post', '/search?q=zzzz', '/search?q=%09'];
    const files = await Promise.all(
      pages.map(async (path, i) => {
        const file = join(dir, `page-${i}.html`);
        await writeFile(file, await (await fetch(base + path)).text());
        return file;
      }),
    );
    const checked = spawnSync(
      tools.paths?.java ?? 'java',
      ['-jar', VNU, '--format', 'text', '--errors-only', ...files],
      { encoding: 'utf8' },
    );
    assert.equal(checked.status, 0, `${pages.join(', ')}:\n${checked.stderr}`);
  });
});
