/**
 * Configuration: read once at startup from environment variables and their `--flag` forms (flags
 * win), over the site file (`quire.yaml`, issue #18: the settings a writer keeps with the blog),
 * over the defaults; validated, typed, then passed down. Nothing else in Quire reads
 * `process.env`, and only this reads the site file.
 */
import { dirname, isAbsolute, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import * as childEnv from './child-process-env.ts';
import { ContentError, type ContentProblem, formatProblem } from './content/types.ts';
import { readSiteFile } from './settings/site-file.ts';
import type { Author, MenuEntry, SiteFile } from './settings/site-file-schema.ts';
import { DEFAULT_SITE_FILE, variablesSchema } from './settings/variables-schema.ts';

export { DEFAULT_IMAGE_MAX_MB } from './settings/variables-schema.ts';

/** SITE_URL when it is not set (issue #19): the address a person starting Quire opens. */
const localUrl = (port: number) => `http://localhost:${port}`;

/** The configuration from the variables' values and the site file's own settings. */
function toConfig(
  c: z.output<typeof variablesSchema>,
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

const NAMES = Object.keys(variablesSchema.shape);

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

  const result = variablesSchema.safeParse(raw);
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

// Child processes' environments (child-process-env.ts) from `process.env`, which only this reads.
export const childProcessEnv = () => childEnv.childProcessEnv(process.env);
export const childProcessEnvChanges = () => childEnv.childProcessEnvChanges(process.env);
export const environmentWith = (additions: Record<string, string>) =>
  childEnv.environmentWith(process.env, additions);
