/**
 * Loads the posts for a process, logs the outcome once, and records it in
 * the content metrics when this process is the one that renders.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childProcessEnv, type Config } from '../config.ts';
import { checkCacheManifest } from '../content/cache-manifest.ts';
import type { LoadReport } from '../content/load-site.ts';
import { ContentError, formatProblem, type Site } from '../content/types.ts';
import type { Logger } from '../log.ts';
import type { ContentMetrics } from '../metrics.ts';
import { errorFromData } from '../error-text.ts';
import type { PrepareReply } from './prepare-child.ts';

/**
 * The preparing child's young generation: V8 sizes it for the machine (up to 64 MB per
 * semi-space on 24 GB) where 16 MB costs no render time, as for the render children. Not the parent's
 * execArgv: its --watch or --inspect must not apply to the child.
 */
const PREPARE_EXEC_ARGV = ['--max-semi-space-size=16'];

const contentOptions = (config: Config) => ({
  postsDir: config.postsDir,
  cacheDir: config.cacheDir,
  title: config.siteTitle,
  url: config.siteUrl,
});

/** A process that serves: the whole site, from the cache where it can. */
export async function loadAndReport(
  config: Config,
  logger: Logger,
  metrics?: ContentMetrics,
): Promise<Site> {
  // Imported here: the cluster primary, which also imports this file, never loads the content stack.
  const { loadSite } = await import('../content/load-site.ts');
  const { site, report } = await loadSite(contentOptions(config));
  record(report, logger, metrics);
  return site;
}

/**
 * The cluster primary: fill the render cache for the workers, keep nothing. It is done in a
 * child process (prepare-child.ts), so that none of the memory it takes stays with the primary:
 * measured with 1000 posts, the primary's RSS went from 134–153 MB to about 102 MB.
 * Throws `ContentError` with every problem, like `loadSite`.
 *
 * Unless the cache's manifest (cache-manifest.ts) says these very posts were validated and are
 * all cached, as in the production image, whose build renders them: then the child, a Node
 * process started and waited for before any worker is forked, would find nothing to do (#7).
 */
export async function prepareAndReport(
  config: Config,
  logger: Logger,
  metrics: ContentMetrics,
): Promise<void> {
  const started = performance.now();
  const check = await checkCacheManifest(config.postsDir, config.cacheDir);
  if (check.complete) {
    // What the child would have found: every post's entry in the cache, none to render. It
    // reports warnings only for posts it renders, so there are none to repeat either.
    logger.info('render cache complete per its manifest: not preparing it');
    record(
      {
        posts: check.posts,
        published: check.published,
        rendered: 0,
        cached: check.posts,
        ms: Math.round(performance.now() - started),
        warnings: [],
        renderSeconds: [],
      },
      logger,
      metrics,
    );
    return;
  }
  logger.info({ reason: check.reason }, 'preparing the render cache');
  const report = await prepareInChild(contentOptions(config));
  record(report, logger, metrics);
}

async function prepareInChild(options: ReturnType<typeof contentOptions>): Promise<LoadReport> {
  // The child runs from .ts sources in development and from compiled .js in the image.
  const entry = fileURLToPath(
    new URL(`./prepare-child${extname(import.meta.url)}`, import.meta.url),
  );
  const child = fork(entry, [JSON.stringify(options)], {
    execArgv: PREPARE_EXEC_ARGV,
    env: childProcessEnv(),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let reply: PrepareReply | undefined;
  child.on('message', (message: unknown) => {
    if (isPrepareReply(message)) reply = message;
  });
  const [code, signal] = await exited;
  if (!reply) {
    throw new Error(`preparing the render cache: child exited early (${signal ?? `code ${code}`})`);
  }
  if (reply.ok) return reply.report;
  if ('problems' in reply) throw new ContentError(reply.problems);
  // The same message as in a single process (e.g. a missing posts directory), the child's stack.
  throw errorFromData(reply.error);
}

/** The child's reply, not any other message on its channel (prepare-child.ts). */
const isPrepareReply = (message: unknown): message is PrepareReply =>
  (message as Partial<PrepareReply> | null)?.type === 'quire:prepared';

function record(report: LoadReport, logger: Logger, metrics?: ContentMetrics): void {
  for (const warning of report.warnings) {
    logger.warn({ file: warning.file, line: warning.line }, formatProblem(warning));
  }
  if (report.cacheError) logger.warn(report.cacheError);
  const { posts, rendered, cached, ms } = report;
  logger.info({ posts, rendered, cached, ms }, 'site loaded');
  if (metrics) {
    metrics.posts.set(report.published);
    metrics.renderCacheHits.inc(cached);
    metrics.renderCacheMisses.inc(rendered);
    for (const seconds of report.renderSeconds) metrics.renderDuration.observe(seconds);
  }
}
