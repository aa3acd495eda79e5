/**
 * `npm run dev`: one process (no cluster, no metrics server) serving the blog as a writer sees
 * it: drafts and scheduled posts shown with a badge, problems shown instead of stopping the
 * server, pages re-rendered and reloaded in the browser as posts and templates change.
 * `node --watch-path=src` restarts it when Quire's own code changes.
 */
import { join, sep } from 'node:path';
import { buildApp } from '../app.ts';
import { loadConfigReport, loadConfigReportOrExit } from '../config.ts';
import { loaderOptions } from '../process/load.ts';
import { asError, describeError } from '../error-text.ts';
import { createLogger } from '../log.ts';
import { createDevContent } from './content.ts';
import { createDevSession } from './session.ts';
import { watchDebounced } from './watch.ts';

/**
 * Posts: a save that parses is applied as soon as its events stop (watch.ts, `ready`); this wait
 * is for one that does not, so a save caught between its truncate and its write (far apart on a
 * loaded machine) is not shown as a broken post. Templates: a short wait merges a save's events.
 */
const POSTS_DEBOUNCE_MS = 100;
const TEMPLATES_DEBOUNCE_MS = 20;

// A broken site file does not stop a writing session: its problems show in the banner.
const { config, siteFileProblems } = loadConfigReportOrExit('quire dev', 1);
const logger = createLogger(config.logLevel);

try {
  const content = createDevContent({
    ...loaderOptions(config),
    // With a broken site file its authors are unknown: every post would name unknown ones.
    authors: siteFileProblems.length > 0 ? undefined : Object.keys(config.authors),
    title: config.siteTitle,
    url: config.siteUrl,
    siteFile: config.siteFile,
    siteFileProblems,
  });
  const loaded = await content.load();
  logger.info({ ...loaded, problems: content.problems().length }, 'site loaded');

  // Plain text on stderr, beside pino's JSON on stdout: for the writer's eyes.
  const session = createDevSession(content, logger, (line) => process.stderr.write(`${line}\n`));
  const app = buildApp(config, content.site(), { logger, dev: session.hooks });
  await app.ready(); // the session applies changes from now on

  const postsDir = config.postsDir;
  const posts = watchDebounced({
    dir: postsDir,
    debounceMs: POSTS_DEBOUNCE_MS,
    // Posts and the files beside them (issue #18), not hidden ones (an editor's swap files).
    // A folder moved in or out is an event for each file in it.
    keyOf: (name) => (name.split(sep).some((part) => part.startsWith('.')) ? undefined : name),
    onChange: (name, seenAt) => void session.postChanged(join(postsDir, name), seenAt),
    // Reads and renders a post as soon as a save's events stop; the change uses it if the file
    // is still the same then. Any other file waits for the debounce: an image is written in
    // several chunks, and a half-written one would be shown as corrupt.
    ready: (name) =>
      name.endsWith('.md') ? content.prepare(join(postsDir, name)) : Promise.resolve(false),
    logger,
  });
  // Pages are watched like posts; a change of `pagesDir` applies at the next start.
  const pagesDir = config.pagesDir;
  const pages = watchDebounced({
    dir: pagesDir,
    debounceMs: POSTS_DEBOUNCE_MS,
    keyOf: (name) => (name.endsWith('.md') ? name : undefined),
    onChange: (name, seenAt) => void session.postChanged(join(pagesDir, name), seenAt),
    ready: (name) => content.prepare(join(pagesDir, name)),
    logger,
  });
  const siteFile = watchDebounced({
    dir: config.siteFile,
    debounceMs: POSTS_DEBOUNCE_MS,
    keyOf: () => '*',
    onChange: () => void session.siteFileChanged(() => loadConfigReport()),
    logger,
  });
  const templates = watchDebounced({
    dir: config.templatesDir,
    debounceMs: TEMPLATES_DEBOUNCE_MS,
    keyOf: () => '*', // any template or asset: every page
    onChange: () => void session.templatesChanged(),
    logger,
  });
  // Listening means watching: a save right after the "listening" line is seen.
  await Promise.all([posts.ready, pages.ready, siteFile.ready, templates.ready]);
  await app.listen({ port: config.port, host: config.host });
  void session.warm();

  const stop = () => {
    const watchers = [posts, pages, siteFile, templates];
    void Promise.all([...watchers.map((watcher) => watcher.close()), app.close()]).then(() =>
      process.exit(0),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  logger.fatal({ err: asError(error) }, describeError(error));
  process.exit(1);
}
