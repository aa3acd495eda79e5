/**
 * Configuration: read once at startup from environment variables and their `--flag` forms (flags
 * win), validated, typed, then passed down. Nothing else in Quire reads `process.env`.
 */
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** A whole number from `min` to `max`; `what` names it in the message, e.g. "a number of posts". */
const wholeNumber = (min: number, max: number, what: string) => {
  const message = `must be ${what} from ${min} to ${max}`;
  return z
    .string()
    .regex(/^\d+$/, message)
    .transform(Number)
    .refine((n) => n >= min && n <= max, message);
};

const port = wholeNumber(0, 65535, 'a TCP port number');

const flag = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((value) => value === 'true' || value === '1');

/**
 * The canonical form of a BCP 47 language tag (`en-us` -> `en-US`), or undefined if it is not
 * one. The language itself must be a 2- or 3-letter code: BCP 47's syntax also allows 5 to 8
 * letters, but no such language is registered, so `english` is a mistake, not a language.
 */
function canonicalLanguage(tag: string): string | undefined {
  try {
    const canonical = Intl.getCanonicalLocales(tag)[0];
    return canonical && /^[a-z]{2,3}(?:-|$)/.test(canonical) ? canonical : undefined;
  } catch {
    return undefined;
  }
}

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
  POSTS_DIR: z.string().min(1, 'must not be empty').default('./posts'),
  SITE_URL: z
    .url({
      protocol: /^https?$/,
      error: 'must be an absolute http(s) URL, e.g. https://blog.example',
    })
    .transform((url) => url.replace(/\/+$/, ''))
    .optional(),
  SITE_TITLE: z.string().min(1, 'must not be empty').default('Quire'),
  // For search engines and feeds (issue #3): the home page's meta description and feed subtitle.
  SITE_DESCRIPTION: z.string().max(300, 'must be at most 300 characters').default(''),
  // Atom needs an author for every entry; JSON-LD names it. Default: SITE_TITLE.
  SITE_AUTHOR: z
    .string()
    .trim()
    .min(1, 'must not be blank')
    .max(200, 'must be at most 200 characters')
    .optional(),
  // The language posts are written in, as a canonical BCP 47 tag: <html lang> (screen readers pick
  // their voice by it), the feeds' and JSON-LD's. The theme's own words are in templates/.
  SITE_LANGUAGE: z
    .string()
    .transform((tag, context) => {
      const canonical = canonicalLanguage(tag);
      if (canonical === undefined) {
        context.addIssue({
          code: 'custom',
          message: 'must be a BCP 47 language tag, e.g. en, de or pt-BR',
        });
        return z.NEVER;
      }
      return canonical;
    })
    .default('en'),
  // Posts per page on the index and tag pages.
  PAGE_SIZE: wholeNumber(1, 100, 'a number of posts per page').default(10),
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

const schema = variables
  .refine((c) => c.PORT === 0 || c.PORT !== c.METRICS_PORT, {
    path: ['METRICS_PORT'],
    error: 'must differ from PORT: metrics are never served on the public port',
  })
  .transform((c) => ({
    port: c.PORT,
    host: c.HOST,
    postsDir: c.POSTS_DIR,
    siteUrl: c.SITE_URL ?? localUrl(c.PORT),
    siteTitle: c.SITE_TITLE,
    siteDescription: c.SITE_DESCRIPTION,
    siteAuthor: c.SITE_AUTHOR ?? c.SITE_TITLE,
    siteLanguage: c.SITE_LANGUAGE,
    pageSize: c.PAGE_SIZE,
    pageCacheMb: c.PAGE_CACHE_MB,
    codeLineNumbers: c.CODE_LINE_NUMBERS,
    logLevel: c.LOG_LEVEL,
    cacheDir: c.CACHE_DIR,
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
  }));

/** The configuration, named in camelCase after the variables (`SITE_URL` -> `siteUrl`). */
export type Config = z.output<typeof schema>;

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
 * Builds the configuration from an environment and command-line arguments. An empty variable
 * counts as unset, as most shells and orchestrators treat `FOO=` as "not configured".
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  argv: readonly string[] = process.argv.slice(2),
): Config {
  const raw: Record<string, string> = {};
  for (const name of NAMES) {
    const value = env[name];
    if (value !== undefined && value !== '') raw[name] = value;
  }
  Object.assign(raw, readFlags(argv));

  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue?.path[0] ?? 'configuration');
    const got = raw[name] === undefined ? '' : ` (got ${JSON.stringify(raw[name])})`;
    throw new ConfigError(`${name} ${issue?.message ?? 'is invalid'}${got}`);
  }
  return result.data;
}

/** `loadConfig()`, or else one plain line on stderr (no logger exists yet) and exit `code`. */
export function loadConfigOrExit(program: string, code: number): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${program}: invalid configuration: ${error.message}\n`);
    process.exit(code);
  }
}

/** The configuration from environment variables alone, for tools that parse their own flags. */
export function loadEnvironmentConfig(): Config {
  return loadConfig(process.env, []);
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
