/**
 * The environment variables config.ts reads (and their `--flag` forms), by name, each schema from
 * its raw string; those the site file can also give share its rules (rules.ts).
 */
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { authorName, nonEmptyText, sharedRules, wholeNumberText } from './rules.ts';

const shared = sharedRules(wholeNumberText);

/** Where the site file is looked for when SITE_FILE does not say: the working directory. */
export const DEFAULT_SITE_FILE = 'quire.yaml';

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
  SITE_URL: shared.url.optional(),
  SITE_TITLE: shared.title.default('Quire'),
  SITE_DESCRIPTION: shared.description.default(''),
  // The author of posts that name none: default, the site file's first author, else SITE_TITLE.
  SITE_AUTHOR: authorName.optional(),
  SITE_LANGUAGE: shared.language.default('en'),
  // Posts per page on the index and tag pages.
  PAGE_SIZE: shared.pageSize.default(10),
  // An image beside a post larger than this is served as is, never decoded (issue #18); the site
  // file's images.maxMegabytes gives it too, the variable wins.
  IMAGE_MAX_MB: shared.imageMaxMb.default(DEFAULT_IMAGE_MAX_MB),
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
    .default(fileURLToPath(new URL('../../templates/', import.meta.url))),
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

export const variablesSchema = variables
  .refine((c) => c.PORT === 0 || c.PORT !== c.METRICS_PORT, {
    path: ['METRICS_PORT'],
    error: 'must differ from PORT: metrics are never served on the public port',
  })
  .refine((c) => !nested(c.POSTS_DIR, c.PAGES_DIR), {
    path: ['PAGES_DIR'],
    error: 'must be a folder of its own, neither POSTS_DIR nor inside it (nor around it)',
  });
