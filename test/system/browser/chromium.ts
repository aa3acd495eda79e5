/* eslint-disable @typescript-eslint/no-explicit-any -- the page's globals, see below */
/**
 * Debian's Chromium driven by playwright-core, and the server it looks at: shared by the
 * browser suites (issue #3). Not a test file itself (no `.test.ts`).
 *
 * Playwright gives every launch a fresh temporary profile (its own `--user-data-dir`); the
 * flags the machine needs are in chromium-flags.ts.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { freePort, startServer } from '../../helpers/server-process.ts';
import { CHROMIUM_FLAGS } from './chromium-flags.ts';

// Callbacks passed to page.evaluate() run in Chromium. The project is typed for Node only (the
// DOM lib would clash with Node's own web-stream types), so the page's globals are declared
// loosely here, for this file alone.
declare const document: any, window: any;

export async function launchChromium(executablePath: string): Promise<Browser> {
  const browser = await chromium.launch({ executablePath, args: CHROMIUM_FLAGS, timeout: 60_000 });
  after(() => browser.close());
  return browser;
}

/**
 * The real server (one process) on the repository's sample posts, its `SITE_URL` its own address
 * (canonical links on the same origin, as Lighthouse's SEO audits expect); resolves with its URL.
 */
export async function startSampleSite(env: Record<string, string> = {}): Promise<string> {
  const cache = await mkdtemp(join(tmpdir(), 'quire-browser-cache-'));
  after(() => rm(cache, { recursive: true, force: true }));
  const port = await freePort();
  const server = startServer({
    WORKERS: '1',
    POSTS_DIR: 'posts',
    CACHE_DIR: cache,
    PORT: String(port),
    SITE_URL: `http://127.0.0.1:${port}`,
    ...env,
  });
  const exited = server.exited.then((code) => {
    throw new Error(`server exited (${code}) before listening:\n${server.stderr()}`);
  });
  return Promise.race([server.listening, exited]);
}

/** What went wrong on a page: console errors, uncaught exceptions, CSP violations. */
export interface PageProblems {
  console: string[];
  exceptions: string[];
  cspViolations: string[];
}

/**
 * Records every problem a page reports while the test drives it. CSP violations are caught
 * twice over: Chromium logs each as a console error, and an init script (run by the
 * DevTools protocol, so the policy does not apply to it) listens for the
 * `securitypolicyviolation` event.
 */
export async function watchProblems(context: BrowserContext): Promise<PageProblems> {
  const problems: PageProblems = { console: [], exceptions: [], cspViolations: [] };
  await context.exposeBinding('__quireCspViolation', (_source, text: string) => {
    problems.cspViolations.push(text);
  });
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event: any) => {
      const report = window.__quireCspViolation;
      report(
        `${event.violatedDirective} blocked ${event.blockedURI} (${event.sourceFile}:${event.lineNumber})`,
      );
    });
  });
  context.on('console', (message) => {
    if (message.type() === 'error') {
      problems.console.push(`${message.page()?.url() ?? '?'}: ${message.text()}`);
    }
  });
  context.on('weberror', (error) => problems.exceptions.push(String(error.error())));
  return problems;
}

const require = createRequire(import.meta.url);
let axeSource: string | undefined;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules plus best practices) in the page. Its source is
 * evaluated through the DevTools protocol, not added as a <script>: the page's CSP rightly
 * refuses inline scripts, and the test must not weaken the policy it checks.
 */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(...args: unknown[]): Promise<unknown> } }).axe;
    const results = (await axe.run(document, {
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
      },
    })) as { violations: AxeViolation[] };
    return results.violations.map(({ id, impact, help, nodes }) => ({
      id,
      impact,
      help,
      nodes: nodes.map(({ target, failureSummary }) => ({ target, failureSummary })),
    }));
  });
}

/** A readable list of violations for an assertion message. */
export function describeViolations(violations: readonly AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `${v.impact ?? '?'} ${v.id}: ${v.help}\n` +
        v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n'),
    )
    .join('\n');
}
