/**
 * Builds the app for HTTP tests, with its log lines captured in memory.
 * Not a test file itself (no `.test.ts`).
 */
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { type LogLevel, loadConfig } from '../../src/config.ts';
import type { Site } from '../../src/content/types.ts';
import { createLifecycle, type Lifecycle } from '../../src/http/lifecycle.ts';
import { createLogger } from '../../src/log.ts';
import { makePost, makeSite } from '../helpers/site.ts';

/** A site file with nothing in it: the sample blog's quire.yaml (the working directory's) must not apply. */
export const EMPTY_SITE_FILE = fileURLToPath(
  new URL('../fixtures/site-file/empty.yaml', import.meta.url),
);

/** One parsed log line. `quire` holds Quire's own fields. */
export interface LogLine {
  level: string;
  time: string;
  msg?: string;
  quire?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface TestApp {
  app: FastifyInstance;
  site: Site;
  lifecycle: Lifecycle;
  logs: LogLine[];
  /** Access-log lines ("request completed"). */
  accessLines(): LogLine[];
  /** Every line carrying this request id. */
  linesFor(requestId: string): LogLine[];
}

export interface TestAppOptions {
  site?: Site;
  lifecycle?: Lifecycle;
  level?: LogLevel;
  trustProxy?: boolean | string | string[];
  /** The app's clock (scheduling). Default: real time. */
  now?: () => Date;
  /** Configuration as environment variables, e.g. `{ PAGE_SIZE: '2' }`. */
  env?: Record<string, string>;
}

export function defaultSite(): Site {
  return makeSite([
    makePost({
      slug: 'hello-world',
      title: 'Hello, world',
      date: new Date('2026-01-10T00:00:00Z'),
      updated: new Date('2026-02-03T00:00:00Z'),
      tags: ['intro', 'meta'],
      summary: 'The first post.',
      html: '<p>Welcome to <strong>Quire</strong>.</p>',
      readingMinutes: 3,
    }),
    makePost({
      slug: 'second',
      title: 'Second post',
      date: new Date('2026-03-05T00:00:00Z'),
      summary: 'The second post.',
      html: '<p>More.</p>',
      readingMinutes: 1,
    }),
  ]);
}

/** The app for one test, closed when the test ends. */
export function buildTestApp(t: Pick<TestContext, 'after'>, options: TestAppOptions = {}): TestApp {
  const site = options.site ?? defaultSite();
  const lifecycle = options.lifecycle ?? createLifecycle();
  const logs: LogLine[] = [];
  const destination = {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) logs.push(JSON.parse(line) as LogLine);
    },
  };
  const logger = createLogger(options.level ?? 'info', destination);
  // Not the sample blog's quire.yaml (the working directory's): only what a test gives.
  const app = buildApp(loadConfig({ SITE_FILE: EMPTY_SITE_FILE, ...options.env }, []), site, {
    logger,
    lifecycle,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.trustProxy === undefined ? {} : { trustProxy: options.trustProxy }),
  });
  t.after(() => app.close());
  return {
    app,
    site,
    lifecycle,
    logs,
    accessLines: () => logs.filter((line) => line.msg === 'request completed'),
    linesFor: (requestId) => logs.filter((line) => line.quire?.requestId === requestId),
  };
}
