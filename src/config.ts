/**
 * Configuration: read once at startup from environment variables and their `--flag` forms (flags
 * win), over the site file (`quire.yaml`, issue #18: the settings a writer keeps with the blog),
 * over the defaults; validated, typed, then passed down. Nothing else in Quire reads
 * `process.env`, and only this reads the site file.
 */
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { ContentError, type ContentProblem, formatProblem } from './content/types.ts';
import {
  authorName,
  IMAGE_MAX_MB_RANGE,
  nonEmptyText,
  PAGE_SIZE_RANGE,
  siteDescription,
  siteLanguage,
  siteTitle,
  siteUrl,
  wholeNumberText,
} from './settings/rules.ts';
import { readSiteFile } from './settings/site-file.ts';
import type { Author, MenuEntry, SiteFile } from './settings/site-file-schema.ts';

/** Where the site file is looked for when SITE_FILE does not say: the working directory. */
const DEFAULT_SITE_FILE = 'quire.yaml';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** `IMAGE_MAX_MB` unless set: a phone's photo is a few megabytes, a camera's RAW export more. */
export const DEFAULT_IMAGE_MAX_MB = 20;

/** A whole number from `min` to `max`; `what` names it in the message, e.g. "a number of posts". */
const wholeNumber = (min: number, max: number, what: string) => wholeNumberText([min, max, what]);

const port = wholeNumber(0, 65535, 'a TCP port number');

const flag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

/** `10.0.0.5` or `10.0.0.0/8` or `fd00::/8`: an address or a CIDR range. */
function isAddressOrRange(entry: string): boolean {
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/** SITE_URL when it is not set (issue #19): the address a person starting Quire opens. */
const localUrl = (port: number) => `http://localhost:${port}`;

/** Each key is an environment variable name; each schema reads the raw string. */
const variables = z.object({
  PORT: port.default(3000),
  HOST: z.string().min(1, 'must not be empty').default('0.0.0.0'),
  POSTS_DIR: nonEmptyText().default('./posts'),
  // Standalone pages (issue #18): pages/about.md is /about/. A folder that does not exist: none.
  PAGES_DIR: nonEmptyText().default('./pages'),
  // The site file (issue #18). The default one may be missing (the defaults apply); one named
  // here must exist, as a mistyped name would otherwise silently mean the defaults.
  SITE_FILE: nonEmptyText().default(DEFAULT_SITE_FILE),
  // Default (issue #19): http://localhost:<PORT>, the address a person starting Quire opens.
  SITE_URL: siteUrl.optional(),
  SITE_TITLE: siteTitle.default('Quire'),
  SITE_DESCRIPTION: siteDescription.default(''),
  // The author of posts that name none: default, the site file's first author, else SITE_TITLE.
  SITE_AUTHOR: authorName.optional(),
  SITE_LANGUAGE: siteLanguage.default('en'),
  // Posts per page on the index and tag pages.
  PAGE_SIZE: wholeNumberText(PAGE_SIZE_RANGE).default(10),
  // An image beside a post larger than this is served as is, never decoded (issue #18); the site
  // file's images.maxMegabytes gives it too, the variable wins.
  IMAGE_MAX_MB: wholeNumberText(IMAGE_MAX_MB_RANGE).default(DEFAULT_IMAGE_MAX_MB),
  // Rendered pages kept in memory per process (issue #17): pages are rendered on first request.
  PAGE_CACHE_MB: wholeNumber(1, 16_384, 'a number of megabytes').default(64),
  // Line numbers on every code block whose fence does not say `{lineNumbers=false}` (issue #19).
  CODE_LINE_NUMBERS: flag.default(false),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })
    .default('info'),
  CACHE_DIR: z.string().min(1, 'must not be empty').default('./.cache/render'),
  // The theme: Nunjucks templates, with static files under `assets/`.
  TEMPLATES_DIR: z
    .string()
    .min(1, 'must not be empty')
    .default(fileURLToPath(new URL('../templates/', import.meta.url))),
  // The process model (see src/process/): 1 means one process and no cluster primary.
  WORKERS: wholeNumber(1, 64, 'a number of worker processes').default(
    Math.min(availableParallelism(), 64),
  ),
  METRICS_PORT: port.default(9100),
  // Loopback by default: Prometheus on the same machine, or a pod's own address (k8s sets 0.0.0.0).
  METRICS_HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  SHUTDOWN_DELAY_MS: wholeNumber(0, 600_000, 'a number of milliseconds').default(0),
  SHUTDOWN_TIMEOUT_MS: wholeNumber(1, 600_000, 'a number of milliseconds').default(10_000),
  // More than this many worker crashes within CRASH_LOOP_WINDOW_MS stops the whole cluster.
  CRASH_LOOP_RESTARTS: wholeNumber(1, 1000, 'a number of restarts').default(5),
  CRASH_LOOP_WINDOW_MS: wholeNumber(1000, 3_600_000, 'a number of milliseconds').default(60_000),
  // A cluster worker whose heartbeat is silent this long (a blocked event loop, a stopped
  // process) is killed and replaced like a crash (issue #20). WORKERS=1: the liveness probe's job.
  WORKER_HANG_MS: wholeNumber(1000, 600_000, 'a number of milliseconds').default(5000),
  // Peers whose X-Forwarded-For/-Proto/-Host are believed (nginx's address, see nginx/README.md);
  // by default no one.
  TRUST_PROXY: z
    .string()
    .transform((value) => value.split(',').map((entry) => entry.trim()))
    .refine(
      (entries) => entries.every(isAddressOrRange),
      'must be a comma-separated list of IP addresses or CIDR ranges, e.g. 127.0.0.1 or 10.0.0.0/8',
    )
    .optional(),
  // Who puts the constant security headers (CSP, X-Frame-Options, ...) on responses: the app, or
  // the nginx in front (nginx/snippets/security-headers-app.conf), so that its micro-cache does
  // not store and re-read them with every page (issue #6). Only for an app nothing else reaches.
  SECURITY_HEADERS: z
    .enum(['app', 'proxy'], {
      error: 'must be app (the app sends them) or proxy (the nginx in front adds them)',
    })
    .default('app'),
  // Test-only routes (/__test/slow, /__test/crash) for the process-model tests. Never in production.
  TEST_ROUTES: flag.default(false),
});

/** Whether one of two folders is the other or inside it. */
function nested(a: string, b: string): boolean {
  const inside = (outer: string, inner: string) => {
    const rel = relative(resolve(outer), resolve(inner));
    return !rel.startsWith('..') && !isAbsolute(rel);
  };
  return inside(a, b) || inside(b, a);
}

const schema = variables
  .refine((c) => c.PORT === 0 || c.PORT !== c.METRICS_PORT, {
    path: ['METRICS_PORT'],
    error: 'must differ from PORT: metrics are never served on the public port',
  })
  .refine((c) => !nested(c.POSTS_DIR, c.PAGES_DIR), {
    path: ['PAGES_DIR'],
    error: 'must be a folder of its own, neither POSTS_DIR nor inside it (nor around it)',
  });

/** The configuration from the variables' values and the site file's own settings. */
function toConfig(
  c: z.output<typeof schema>,
  file: SiteFile | undefined,
  lineAt: (path: readonly string[]) => number = () => 1,
) {
  const authors: Readonly<Record<string, Author>> = file?.authors ?? {};
  return {
    port: c.PORT,
    host: c.HOST,
    postsDir: c.POSTS_DIR,
    pagesDir: c.PAGES_DIR,
    siteFile: c.SITE_FILE,
    siteUrl: c.SITE_URL ?? localUrl(c.PORT),
    siteTitle: c.SITE_TITLE,
    siteDescription: c.SITE_DESCRIPTION,
    siteAuthor: c.SITE_AUTHOR ?? Object.values(authors)[0]?.name ?? c.SITE_TITLE,
    siteLanguage: c.SITE_LANGUAGE,
    pageSize: c.PAGE_SIZE,
    pageCacheMb: c.PAGE_CACHE_MB,
    codeLineNumbers: c.CODE_LINE_NUMBERS,
    logLevel: c.LOG_LEVEL,
    cacheDir: c.CACHE_DIR,
    imageMaxMb: c.IMAGE_MAX_MB,
    templatesDir: c.TEMPLATES_DIR,
    workers: c.WORKERS,
    metricsPort: c.METRICS_PORT,
    metricsHost: c.METRICS_HOST,
    shutdownDelayMs: c.SHUTDOWN_DELAY_MS,
    shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
    crashLoopRestarts: c.CRASH_LOOP_RESTARTS,
    crashLoopWindowMs: c.CRASH_LOOP_WINDOW_MS,
    workerHangMs: c.WORKER_HANG_MS,
    trustProxy: c.TRUST_PROXY ?? (false as const),
    securityHeaders: c.SECURITY_HEADERS,
    testRoutes: c.TEST_ROUTES,
    // The site file's alone:
    authors,
    menu: sortedMenu(file?.menu ?? []),
    social: file?.social ?? [],
    // With where the site file names it: a missing image is a problem at that line.
    defaultCover: file?.defaultCover && {
      ...file.defaultCover,
      file: c.SITE_FILE,
      line: lineAt(['defaultCover', 'src']),
    },
    imageWidths: file?.images?.widths,
  };
}

/** By `order`, lowest first, then the entries without one; each group in the file's order. */
function sortedMenu(entries: readonly MenuEntry[]): { label: string; url: string }[] {
  const rank = (entry: MenuEntry) => entry.order ?? Number.POSITIVE_INFINITY;
  return [...entries].sort((a, b) => rank(a) - rank(b)).map(({ label, url }) => ({ label, url }));
}

/** The configuration, named in camelCase after the variables (`SITE_URL` -> `siteUrl`). */
export type Config = ReturnType<typeof toConfig>;

export type LogLevel = Config['logLevel'];

/** `config` listening on `port` (PORT 0 resolved), and so the default SITE_URL naming it. */
export function onPort(config: Config, port: number): Config {
  const siteUrl = config.siteUrl === localUrl(config.port) ? localUrl(port) : config.siteUrl;
  return { ...config, port, siteUrl };
}

/** A bad configuration value. The message is one line naming the variable and what is allowed. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

const NAMES = Object.keys(variables.shape);

/** `LOG_LEVEL` ↔ `--log-level`. */
const flagName = (name: string) => name.toLowerCase().replaceAll('_', '-');

function readFlags(argv: readonly string[]): Record<string, string> {
  const options = Object.fromEntries(
    NAMES.map((name) => [flagName(name), { type: 'string' as const }]),
  );
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }));
  } catch (error) {
    const known = NAMES.map((name) => `--${flagName(name)}`).join(', ');
    throw new ConfigError(`${(error as Error).message}. Known flags: ${known}`);
  }
  const byEnvName: Record<string, string> = {};
  for (const name of NAMES) {
    const value = values[flagName(name)];
    if (value !== undefined) byEnvName[name] = value;
  }
  return byEnvName;
}

/**
 * The site file's settings that a variable can also give, as that variable's text, so that the
 * variable (or its flag) wins and one rule checks the value. `pagesDir` is relative to the file.
 */
function asVariables(file: SiteFile, path: string): Record<string, string> {
  const values: Record<string, string | number | undefined> = {
    SITE_TITLE: file.title,
    SITE_DESCRIPTION: file.description,
    SITE_LANGUAGE: file.language,
    SITE_URL: file.url,
    PAGE_SIZE: file.pageSize,
    PAGES_DIR:
      file.pagesDir &&
      (isAbsolute(file.pagesDir) ? file.pagesDir : join(dirname(path), file.pagesDir)),
    IMAGE_MAX_MB: file.images?.maxMegabytes,
  };
  const given: Record<string, string> = {};
  for (const [name, value] of Object.entries(values))
    if (value !== undefined) given[name] = String(value);
  return given;
}

export interface ConfigReport {
  config: Config;
  /** The site file's problems: with any, `config` is what it would be without the file. */
  siteFileProblems: ContentProblem[];
}

/**
 * Builds the configuration from an environment, command-line arguments and the site file they
 * name, reporting the site file's problems rather than throwing (the dev server shows them and
 * keeps going). An empty variable counts as unset, as most shells and orchestrators treat `FOO=`
 * as "not configured". A bad variable or flag throws `ConfigError`.
 */
export function loadConfigReport(
  env: Readonly<Record<string, string | undefined>> = process.env,
  argv: readonly string[] = process.argv.slice(2),
): ConfigReport {
  const given: Record<string, string> = {};
  for (const name of NAMES) {
    const value = env[name];
    if (value !== undefined && value !== '') given[name] = value;
  }
  Object.assign(given, readFlags(argv));

  const path = given.SITE_FILE ?? DEFAULT_SITE_FILE;
  let read: ReturnType<typeof readSiteFile>;
  try {
    read = readSiteFile(path);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(`SITE_FILE cannot be read: ${reason} (got ${JSON.stringify(path)})`);
  }
  if (read === undefined && given.SITE_FILE !== undefined)
    throw new ConfigError(`SITE_FILE must name an existing file (got ${JSON.stringify(path)})`);
  const file = read?.ok ? read.settings : undefined;
  const raw = { ...(file && asVariables(file, path)), ...given };

  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue?.path[0] ?? 'configuration');
    const got = raw[name] === undefined ? '' : ` (got ${JSON.stringify(raw[name])})`;
    throw new ConfigError(`${name} ${issue?.message ?? 'is invalid'}${got}`);
  }
  return {
    config: toConfig(result.data, file, read?.ok ? read.lineAt : undefined),
    siteFileProblems: read?.ok === false ? read.problems : [],
  };
}

/**
 * The configuration; a bad variable or flag throws `ConfigError`, a site file with problems
 * `ContentError` with every one of them.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  argv: readonly string[] = process.argv.slice(2),
): Config {
  const { config, siteFileProblems } = loadConfigReport(env, argv);
  if (siteFileProblems.length > 0) throw new ContentError(siteFileProblems, 'the site file');
  return config;
}

/** `loadConfig()`, or else plain lines on stderr (no logger exists yet) and exit `code`. */
export function loadConfigOrExit(
  program: string,
  code: number,
  argv: readonly string[] = process.argv.slice(2),
): Config {
  return orExit(program, code, () => loadConfig(process.env, argv));
}

/** `loadConfigReport()` (the dev server's), or else a line on stderr and exit `code`. */
export function loadConfigReportOrExit(program: string, code: number): ConfigReport {
  return orExit(program, code, () => loadConfigReport());
}

function orExit<T>(program: string, code: number, load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${program}: invalid configuration: ${error.message}\n`);
    } else if (error instanceof ContentError) {
      const lines = error.problems.map(formatProblem).join('\n');
      process.stderr.write(`${program}: invalid site file:\n${lines}\n`);
    } else {
      throw error;
    }
    process.exit(code);
  }
}

/** The configuration from environment variables alone, for tools that parse their own flags. */
export function loadEnvironmentConfig(): ConfigReport {
  return loadConfigReport(process.env, []);
}

/**
 * What this process was given for itself alone, not for the Node processes Quire starts: with
 * `node --watch`'s `WATCH_REPORT_DEPENDENCIES` every child reports each module it loads over its
 * IPC channel (issue #15), the test runner sets `NODE_TEST_CONTEXT`, and a debugger or watch flag
 * in `NODE_OPTIONS` would have each child open the inspector on this process's port, or watch
 * files. Other options (heap limits, `--import`) stay.
 */
const PARENT_ONLY_VARIABLES = new Set(['WATCH_REPORT_DEPENDENCIES', 'NODE_TEST_CONTEXT']);
const PARENT_ONLY_OPTION = /^--(?:inspect|debug-port|watch)/;
/** Those of them written with their value as the next word. */
const TAKES_NEXT_WORD = /^--(?:inspect-port|debug-port|watch-path|watch-kill-signal)$/;

/** The environment for a Node process Quire starts: this one's, less what was only for it. */
export function childProcessEnv(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> {
  const child: Record<string, string> = {};
  for (const [name, value] of Object.entries(env))
    if (value !== undefined && !PARENT_ONLY_VARIABLES.has(name)) child[name] = value;
  const words = (child.NODE_OPTIONS ?? '').split(/\s+/).filter((word) => word !== '');
  const options = words
    .filter(
      (word, i) => !PARENT_ONLY_OPTION.test(word) && !TAKES_NEXT_WORD.test(words[i - 1] ?? ''),
    )
    .join(' ');
  if (options === '') delete child.NODE_OPTIONS;
  else child.NODE_OPTIONS = options;
  return child;
}

/** This process's environment with `additions`, and whether it had every one of them already. */
export function environmentWith(additions: Record<string, string>): {
  env: Record<string, string>;
  had: boolean;
} {
  const had = Object.entries(additions).every(([name, value]) => process.env[name] === value);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined) env[name] = value;
  return { env: { ...env, ...additions }, had };
}

/** The same as changes for `cluster.fork(env)`, which starts from this environment. */
export function childProcessEnvChanges(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string | undefined> {
  const child = childProcessEnv(env);
  const changes: Record<string, string | undefined> = {};
  for (const name of Object.keys(env)) if (child[name] !== env[name]) changes[name] = child[name];
  return changes;
}
