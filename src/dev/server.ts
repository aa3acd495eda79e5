/**
 * `npm run dev`: one process (no cluster, no metrics server) serving the blog as a writer sees
 * it: drafts and scheduled posts shown with a badge, problems shown instead of stopping the
 * server, pages re-rendered and reloaded in the browser as posts and templates change.
 * `node --watch-path=src` restarts it when Quire's own code changes.
 */
import { join, sep } from 'node:path';
import { buildApp } from '../app.ts';
import { loadConfigOrExit } from '../config.ts';
import { asError, describeError } from '../error-text.ts';
import { createLogger } from '../log.ts';
import { cardOptions } from '../process/load.ts';
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

const config = loadConfigOrExit('quire dev', 1);
const logger = createLogger(config.logLevel);

try {
  const content = createDevContent({
    postsDir: config.postsDir,
    cacheDir: config.cacheDir,
    imageMaxMb: config.imageMaxMb,
    title: config.siteTitle,
    url: config.siteUrl,
    cards: cardOptions(config),
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
  const templates = watchDebounced({
    dir: config.templatesDir,
    debounceMs: TEMPLATES_DEBOUNCE_MS,
    keyOf: () => '*', // any template or asset: every page
    onChange: () => void session.templatesChanged(),
    logger,
  });
  // Listening means watching: a save right after the "listening" line is seen.
  await Promise.all([posts.ready, templates.ready]);
  await app.listen({ port: config.port, host: config.host });
  void session.warm();

  const stop = () => {
    void Promise.all([posts.close(), templates.close(), app.close()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (error) {
  logger.fatal({ err: asError(error) }, describeError(error));
  process.exit(1);
}
