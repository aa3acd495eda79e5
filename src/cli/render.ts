/**
 * `npm run render`: renders every post and page into the render cache (CACHE_DIR), with the
 * variants of the images beside the posts and the posts' social cards (issue #18), and writes its
 * site index, without serving, so a server started later is ready at once: the production image
 * runs it at build time (docker/Dockerfile), for a container with a read-only filesystem. Takes
 * the server's settings. Exit 0 when every post is rendered and cached, 1 when a post has a problem
 * or the cache cannot be written, 2 on a bad setting.
 */
import { loadConfigOrExit } from '../config.ts';
import { PostsDirectoryError } from '../content/source/discover-posts.ts';
import { SiteLoader } from '../content/site/site-loader.ts';
import { ContentError, formatProblem } from '../content/types.ts';
import { loaderOptions } from '../process/load.ts';
import { fail, plural } from './shared.ts';

async function main(): Promise<number> {
  const config = loadConfigOrExit('quire', 2);
  try {
    const loader = new SiteLoader(loaderOptions(config));
    const report = await loader.load();
    if (report.indexWarning !== undefined) process.stderr.write(`${report.indexWarning}\n`);
    for (const warning of report.warnings) process.stderr.write(`${formatProblem(warning)}\n`);
    if (report.cacheError !== undefined) return fail(report.cacheError, 1);
    const pages = report.pages > 0 ? ` and ${plural(report.pages, 'page')}` : '';
    process.stdout.write(
      `${plural(report.posts, 'post')}${pages} in ${config.cacheDir}: ${report.rendered} rendered, ` +
        `${report.cached} already cached, ${plural(report.images, 'image')} processed, ` +
        `${plural(report.cards, 'social card')} made (${report.ms} ms)\n`,
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
