/**
 * Lighthouse on the reader's pages (issue #19, item 4): at least 95 in performance,
 * accessibility, best practices and SEO on each page of audited-pages.ts, with Lighthouse's
 * default (mobile) settings and simulated throttling, as `npm run audit` runs it.
 *
 * A 404 page is meant to fail two SEO audits: it answers 404 and asks not to be indexed. Its
 * other SEO audits must pass, and those two must fail, so a 404 that turned into a 200 or lost
 * its `noindex` fails here. Search results ask not to be indexed too (a results page is not
 * content, Google's guidance): they fail `is-crawlable` alone, on purpose, and pass the rest.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { requireTools } from '../../helpers/require-tool.ts';
import { AUDITED_PAGES } from './audited-pages.ts';
import { startSampleSite } from './chromium.ts';
import { CATEGORIES, type LighthouseChrome, launchLighthouseChrome } from './lighthouse.ts';

const tools = requireTools(['chromium'], 'apt-get install chromium');
const TARGET = 95;
/** What an error page fails on purpose, and a page that asks not to be indexed. */
const ERROR_PAGE_SEO = ['http-status-code', 'is-crawlable'];
const NOINDEX_PAGE_SEO = ['is-crawlable'];

describe('Lighthouse on the reader’s pages', { skip: tools.skip }, async () => {
  let base: string;
  let chrome: LighthouseChrome;
  if (tools.skip === false) {
    base = await startSampleSite();
    chrome = await launchLighthouseChrome(tools.paths.chromium);
    after(() => chrome.close());
  }

  for (const page of AUDITED_PAGES) {
    it(`${page.path} scores at least ${TARGET} in each category`, async (t) => {
      const result = await chrome.audit(base + page.path, {
        ignoreStatusCode: page.status !== 200,
      });
      t.diagnostic(`${page.path}: ${JSON.stringify(result.scores)}`);
      const why = `\n${result.failed.join('\n')}`;
      const failsOnPurpose =
        page.status !== 200 ? ERROR_PAGE_SEO : page.noindex ? NOINDEX_PAGE_SEO : undefined;
      const categories = failsOnPurpose ? CATEGORIES.filter((c) => c !== 'seo') : CATEGORIES;
      for (const category of categories) {
        const score = result.scores[category] ?? 0;
        assert.ok(score >= TARGET, `${page.path} ${category} ${score} < ${TARGET}:${why}`);
      }
      if (failsOnPurpose) {
        const failing = [...result.failing.seo].sort();
        assert.deepEqual(failing, failsOnPurpose, `${page.path}: the SEO audits it fails`);
      }
    });
  }
});
