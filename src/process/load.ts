/**
 * Loads the posts for a process, logs the outcome once, and records it in
 * the content metrics when this process is the one that renders.
 */
import type { Config } from '../config.ts';
import { type LoadReport, loadSite, prepareRenderCache } from '../content/load-site.ts';
import { formatProblem, type Site } from '../content/types.ts';
import type { Logger } from '../log.ts';
import type { ContentMetrics } from '../metrics.ts';

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
  const { site, report } = await loadSite(contentOptions(config));
  record(report, logger, metrics);
  return site;
}

/** The cluster primary: fill the render cache for the workers, keep nothing. */
export async function prepareAndReport(
  config: Config,
  logger: Logger,
  metrics: ContentMetrics,
): Promise<void> {
  const report = await prepareRenderCache(contentOptions(config));
  record(report, logger, metrics);
}

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
