/**
 * `npm run export -- <dir> [--force]`: writes the published site into `<dir>` as static files,
 * each what the server sends for its URL (src/export/), for Netlify, Cloudflare Pages, nginx or
 * any static host. Loads the posts as a start does, through the render cache (an export after a
 * start renders nothing), and takes the server's settings from the environment: set `SITE_URL` to
 * the address the files will be served at. Exit 0 when every file is written; 1 when a post has a
 * problem, the folder is refused, or a URL could not be exported (the others are written); 2 on
 * bad usage or a bad setting.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.ts';
import { PostsDirectoryError } from '../content/source/discover-posts.ts';
import { SiteLoader } from '../content/site/site-loader.ts';
import { ContentError, formatProblem } from '../content/types.ts';
import { ExportDirError } from '../export/export-dir.ts';
import { exportSite } from '../export/static-export.ts';
import { createLogger } from '../log.ts';
import { loaderOptions, siteIdentity } from '../process/load.ts';
import { environmentConfig, fail, plural } from './shared.ts';

const USAGE = 'usage: npm run export -- <dir> [--force]';

async function main(argv: readonly string[]): Promise<number> {
  let force: boolean;
  let positionals: string[];
  try {
    let values: { force?: boolean | undefined };
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: { force: { type: 'boolean' } },
      strict: true,
      allowPositionals: true,
    }));
    force = values.force ?? false;
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`, 2);
  }
  const [dir] = positionals;
  if (positionals.length !== 1 || dir === undefined || dir === '')
    return fail(`give the folder to export into as one argument\n${USAGE}`, 2);
  const settings = environmentConfig();
  if (settings instanceof ConfigError) return fail(`invalid configuration: ${settings.message}`, 2);
  const { config, siteFileProblems } = settings;

  const started = performance.now();
  try {
    // The server does not start with a broken site file; nor is a site exported with one.
    if (siteFileProblems.length > 0) throw new ContentError(siteFileProblems, 'the site file');
    const loader = new SiteLoader(loaderOptions(config));
    const loaded = await loader.load();
    if (loaded.indexWarning !== undefined) process.stderr.write(`${loaded.indexWarning}\n`);
    for (const warning of loaded.warnings) process.stderr.write(`${formatProblem(warning)}\n`);
    if (loaded.cacheError !== undefined) process.stderr.write(`${loaded.cacheError}\n`);
    // Only what goes wrong: a page that fails to render is logged, then named as a problem.
    const logger = createLogger('error', { write: (line: string) => process.stderr.write(line) });
    const report = await exportSite({
      config,
      site: loader.site(siteIdentity(config)),
      dir,
      force,
      now: new Date(),
      logger,
    });
    for (const problem of report.problems) process.stderr.write(`quire: ${problem}\n`);
    const ms = Math.round(performance.now() - started);
    const pages = loaded.pages > 0 ? ` and ${plural(loaded.pages, 'page')}` : '';
    process.stdout.write(
      `${plural(loaded.posts, 'post')}${pages} (${loaded.rendered} rendered, ${loaded.cached} already ` +
        `cached): ${plural(report.files, 'file')} and ${plural(report.redirects, 'redirect')} ` +
        `written to ${dir} (${ms} ms)\n`,
    );
    if (report.problems.length > 0)
      return fail(`${plural(report.problems.length, 'URL')} could not be exported`, 1);
    return 0;
  } catch (error) {
    if (
      error instanceof ContentError ||
      error instanceof PostsDirectoryError ||
      error instanceof ExportDirError
    )
      return fail(error.message, 1);
    throw error;
  }
}

process.exitCode = await main(process.argv.slice(2));
