/**
 * `npm run render`: renders every post and page into the render cache (CACHE_DIR), with the
 * variants of the images beside the posts (issue #18), and writes its site index, without
 * serving, so a server started later is ready at once: the production image runs it at build
 * time (docker/Dockerfile), for a container with a read-only filesystem. Takes the server's
 * settings. The posts' social cards are drawn when first requested (content/cards/card-store.ts);
 * `--cards` draws every post's card but the drafts' now, for a cache a server will not be able to
 * write (the image's), where each process would otherwise draw and keep its own. Exit 0 when
 * every post is rendered and cached, 1 when a post has a problem or the cache cannot be written,
 * 2 on a bad setting.
 */
import { loadConfigOrExit } from '../config.ts';
import { PostsDirectoryError } from '../content/source/discover-posts.ts';
import { SiteLoader } from '../content/site/site-loader.ts';
import { ContentError, formatProblem } from '../content/types.ts';
import { loaderOptions } from '../process/load.ts';
import { fail, plural } from './shared.ts';

const CARDS_FLAG = '--cards';

async function main(argv: readonly string[]): Promise<number> {
  const config = loadConfigOrExit(
    'quire',
    2,
    argv.filter((arg) => arg !== CARDS_FLAG),
  );
  try {
    const loader = new SiteLoader(loaderOptions(config));
    const report = await loader.load();
    if (report.indexWarning !== undefined) process.stderr.write(`${report.indexWarning}\n`);
    for (const warning of report.warnings) process.stderr.write(`${formatProblem(warning)}\n`);
    if (report.cacheError !== undefined) return fail(report.cacheError, 1);
    const cards = argv.includes(CARDS_FLAG) ? await drawCards(loader, config) : undefined;
    if (typeof cards === 'string') return fail(cards, 1);
    const pages = report.pages > 0 ? ` and ${plural(report.pages, 'page')}` : '';
    const drawn = cards === undefined ? '' : `, ${plural(cards, 'social card')} drawn`;
    process.stdout.write(
      `${plural(report.posts, 'post')}${pages} in ${config.cacheDir}: ${report.rendered} rendered, ` +
        `${report.cached} already cached, ${plural(report.images, 'image')} processed${drawn} ` +
        `(${report.ms} ms)\n`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ContentError || error instanceof PostsDirectoryError) {
      return fail(error.message, 1);
    }
    throw error;
  }
}

/**
 * Draws the card of every post but the drafts (a scheduled post's included: it appears while the
 * image runs) that has one (no cover, a theme with card colours) and is not in the cache yet,
 * through the URL a reader would ask for; returns how many it drew, or why the cache could not
 * take them.
 */
async function drawCards(
  loader: SiteLoader,
  config: { siteTitle: string; siteUrl: string },
): Promise<number | string> {
  const site = loader.site({ title: config.siteTitle, url: config.siteUrl });
  let drawn = 0;
  for (const post of site.posts) {
    const url = post.draft ? undefined : post.socialCard?.url;
    const answer = url === undefined ? undefined : site.media(url);
    if (answer === undefined || !('card' in answer) || answer.card === undefined) continue;
    const outcome = await answer.card();
    if (outcome.cacheError !== undefined) return outcome.cacheError;
    if (outcome.seconds !== undefined) drawn++;
  }
  return drawn;
}

// An explicit exit: the card-drawing child (render/pool.ts) would keep the process until it idles.
process.exit(await main(process.argv.slice(2)));
