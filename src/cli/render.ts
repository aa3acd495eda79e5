/**
 * `npm run render`: renders every post into the render cache (CACHE_DIR) without serving, so a
 * server started later finds every post cached and is ready at once; it also writes the cache's
 * manifest (src/content/cache-manifest.ts). The production image runs
 * it at build time (docker/Dockerfile), which is what lets the container start in well under a
 * second with a read-only filesystem. Takes the server's settings (POSTS_DIR, CACHE_DIR, or their
 * `--posts-dir`/`--cache-dir` flags). Exit 0 when every post is rendered and cached, 1 when a
 * post has a problem or the cache cannot be written, 2 on a bad setting.
 */
import { ConfigError, loadConfig } from '../config.ts';
import { snapshotPosts, writeCacheManifest } from '../content/cache-manifest.ts';
import { PostsDirectoryError } from '../content/discover-posts.ts';
import { prepareRenderCache } from '../content/load-site.ts';
import { ContentError, formatProblem } from '../content/types.ts';
import { fail, plural } from './shared.ts';

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) return fail(`invalid configuration: ${error.message}`, 2);
    throw error;
  }
  try {
    // Taken before rendering: posts edited meanwhile do not match it, so it never vouches for
    // posts the cache was not prepared for.
    const snapshot = await snapshotPosts(config.postsDir);
    const report = await prepareRenderCache({
      postsDir: config.postsDir,
      cacheDir: config.cacheDir,
      title: config.siteTitle,
      url: config.siteUrl,
    });
    for (const warning of report.warnings) process.stderr.write(`${formatProblem(warning)}\n`);
    if (report.cacheError !== undefined) {
      return fail(`cannot write the render cache ${config.cacheDir}: ${report.cacheError}`, 1);
    }
    // The manifest lets a cluster primary skip re-checking the cache (cache-manifest.ts).
    const manifestError = await writeCacheManifest(config.cacheDir, snapshot, report.published);
    if (manifestError !== undefined) return fail(manifestError, 1);
    process.stdout.write(
      `${plural(report.posts, 'post')} in ${config.cacheDir}: ${report.rendered} rendered, ` +
        `${report.cached} already cached (${report.ms} ms)\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ContentError || error instanceof PostsDirectoryError) {
      return fail(error.message, 1);
    }
    throw error;
  }
}

process.exitCode = await main();
