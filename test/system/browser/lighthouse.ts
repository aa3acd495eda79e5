/**
 * Lighthouse on Debian's Chromium: the one launcher and scorer shared by `npm run audit`
 * (bench/audit.ts) and the browser system tests (issue #19). Not a test file itself.
 *
 * Scores are 0-100, Lighthouse's default (mobile) settings with simulated throttling.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import { CHROMIUM_FLAGS } from './chromium-flags.ts';

export const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface LighthouseResult {
  scores: Record<Category, number | null>;
  /** What cost points, so a missed target says why: `id: value or title`. */
  failed: string[];
  /** The ids of each category's audits that did not pass (weighted ones only). */
  failing: Record<Category, string[]>;
}

export interface LighthouseChrome {
  /** Lighthouse on `url`. `ignoreStatusCode`: audit an error page (a 404) instead of refusing. */
  audit(url: string, options?: { ignoreStatusCode?: boolean }): Promise<LighthouseResult>;
  close(): Promise<void>;
}

/** A headless Chromium for Lighthouse, with a profile of its own, removed on `close`. */
export async function launchLighthouseChrome(chromePath: string): Promise<LighthouseChrome> {
  const profile = await mkdtemp(join(tmpdir(), 'quire-lighthouse-'));
  let chrome: chromeLauncher.LaunchedChrome;
  try {
    chrome = await chromeLauncher.launch({
      chromePath,
      chromeFlags: ['--headless=new', ...CHROMIUM_FLAGS],
      userDataDir: profile,
    });
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    audit: (url, options = {}) => audit(url, chrome.port, options.ignoreStatusCode ?? false),
    async close() {
      chrome.kill();
      await rm(profile, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

async function audit(
  url: string,
  port: number,
  ignoreStatusCode: boolean,
): Promise<LighthouseResult> {
  const result = await lighthouse(url, {
    port,
    output: 'json',
    logLevel: 'error',
    ignoreStatusCode,
  });
  if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
  const { categories, audits, runtimeError, runWarnings } = result.lhr;
  if (runtimeError)
    throw new Error(`Lighthouse on ${url}: ${runtimeError.code} ${runtimeError.message}`);
  for (const warning of runWarnings) process.stderr.write(`Lighthouse on ${url}: ${warning}\n`);
  const score = (id: Category) => {
    const value = categories[id]?.score;
    return value === null || value === undefined ? null : Math.round(value * 100);
  };
  const failed = Object.values(audits)
    .filter((a) => a.score !== null && a.score < 1 && a.scoreDisplayMode !== 'informative')
    .filter((a) => a.scoreDisplayMode === 'binary' || (a.score ?? 1) < 0.9)
    .map((a) => `${a.id}: ${a.displayValue ?? a.title}`);
  for (const a of Object.values(audits)) {
    if (a.scoreDisplayMode === 'error')
      failed.push(`${a.id}: audit error: ${a.errorMessage ?? '?'}`);
  }
  if (process.env.AUDIT_DEBUG) {
    const breakdown = audits['mainthread-work-breakdown']?.details as
      { items?: unknown[] } | undefined;
    process.stderr.write(`${url} main thread: ${JSON.stringify(breakdown?.items)}\n`);
  }
  return {
    scores: Object.fromEntries(CATEGORIES.map((id) => [id, score(id)])) as Record<
      Category,
      number | null
    >,
    failed,
    failing: Object.fromEntries(
      CATEGORIES.map((id) => [
        id,
        (categories[id]?.auditRefs ?? [])
          .filter((ref) => ref.weight > 0 && (audits[ref.id]?.score ?? 1) < 1)
          .map((ref) => ref.id),
      ]),
    ) as Record<Category, string[]>,
  };
}
