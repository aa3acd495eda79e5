/**
 * Loads the posts for a process, logs the outcome once, and records it in the content metrics.
 *
 * The single process and the cluster primary load: they validate what changed since the site
 * index was written, render what the cache lacks and write the index. A cluster worker only
 * opens the index its primary has just written, reading no post (issue #17); should that index
 * not be the one its primary loaded (the primary could not write it), it loads by itself.
 */
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { SiteLoader, type SiteLoaderOptions } from '../content/site/site-loader.ts';
import { formatProblem, type Site } from '../content/types.ts';
import { RESERVED_SLUGS } from '../http/paths.ts';
import type { Logger } from '../log.ts';
import type { ContentMetrics } from '../metrics.ts';
import type { SiteMessage } from './messages.ts';

/** The posts' social cards: the site's title in the colours of the theme's stylesheet. */
export const cardOptions = (config: Config) => ({
  siteTitle: config.siteTitle,
  stylesheet: join(config.templatesDir, 'assets', 'style.css'),
});
/** What the loader needs of the configuration, for every command that loads the site. */
export const loaderOptions = (config: Config): SiteLoaderOptions => ({
  postsDir: config.postsDir,
  pagesDir: config.pagesDir,
  cacheDir: config.cacheDir,
  imageMaxMb: config.imageMaxMb,
  imageWidths: config.imageWidths,
  reservedSlugs: RESERVED_SLUGS,
  authors: Object.keys(config.authors),
  cards: cardOptions(config),
  defaultCover: config.defaultCover,
  strict: true,
});
export const siteIdentity = (config: Config) => ({ title: config.siteTitle, url: config.siteUrl });

/**
 * Loads the site; throws `ContentError` with every problem when a post is broken. A cache that
 * cannot be written is one warning, unless `cacheWarned` (the cluster primary gave it already).
 */
export async function loadAndReport(
  config: Config,
  logger: Logger,
  metrics?: ContentMetrics,
  cacheWarned = false,
): Promise<{ site: Site; cacheWritten: boolean }> {
  const loader = new SiteLoader(loaderOptions(config));
  const report = await loader.load();
  if (report.indexWarning) logger.warn(report.indexWarning);
  for (const warning of report.warnings) {
    logger.warn({ file: warning.file, line: warning.line }, formatProblem(warning));
  }
  if (report.cacheError && !cacheWarned) logger.warn(report.cacheError);
  const { posts, pages, rendered, cached, validated, images, ms } = report;
  logger.info({ posts, pages, rendered, cached, validated, images, ms }, 'site loaded');
  if (metrics) {
    metrics.posts.set(report.published);
    metrics.renderCacheHits.inc(cached);
    metrics.renderCacheMisses.inc(rendered);
    for (const seconds of report.renderSeconds) metrics.renderDuration.observe(seconds);
  }
  return { site: loader.site(siteIdentity(config)), cacheWritten: report.cacheError === undefined };
}

/** A cluster worker: the site as the index of its primary's load (`version`) describes it. */
export async function openAndReport(
  config: Config,
  logger: Logger,
  { version, cacheWritten }: Pick<SiteMessage, 'version' | 'cacheWritten'>,
): Promise<Site> {
  const started = performance.now();
  const loader = new SiteLoader(loaderOptions(config));
  if (await loader.open()) {
    const site = loader.site(siteIdentity(config));
    if (site.version === version) {
      const ms = Math.round(performance.now() - started);
      logger.info({ posts: loader.posts().length, ms }, 'site index opened');
      return site;
    }
  }
  if (!cacheWritten) {
    logger.info('the cluster primary could not write the render cache: loading the posts here');
    return (await loadAndReport(config, logger, undefined, true)).site;
  }
  logger.warn('the site index is not the one the cluster primary loaded: loading the posts here');
  return (await loadAndReport(config, logger)).site;
}
