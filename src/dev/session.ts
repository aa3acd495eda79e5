/**
 * One dev session: the content, the page store it updates, live reload, and the counters tests
 * and the bench read. Changes are applied one at a time (a queue), so a page is never rendered
 * from a half-applied change and the Shiki call count of each post render is its own.
 *
 * Pages are the production ones, rendered on demand by the same page store, from a view that
 * lists every post (drafts and scheduled ones with a badge) and with the problems banner: after
 * an edit the store drops exactly the pages it changed, and the open pages among them reload.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type nunjucks from 'nunjucks';
import type { DevHooks, DevPluginOptions } from '../app.ts';
import type { ConfigReport } from '../config.ts';
import type { PageStore } from '../http/page-store.ts';
import { type SiteMeta, siteMeta } from '../http/pages/site-meta.ts';
import { pagePath, postPath } from '../http/paths.ts';
import type { Logger } from '../log.ts';
import type { Post } from '../content/types.ts';
import type { DevContent, DevProblem } from './content.ts';
import { createLiveReload, RELOAD_SCRIPT } from './live-reload.ts';
import { problemLines } from './problem-lines.ts';
import { asError, describeError } from '../error-text.ts';

export interface DevSession {
  hooks: DevHooks;
  /** `seenAt`: when the watcher first saw the change (`performance.now()`). */
  postChanged(path: string, seenAt?: number): Promise<void>;
  templatesChanged(): Promise<void>;
  /**
   * The site file changed: `reload` reads the configuration again. A good file applies to every
   * page at once; a broken one shows its problems and the last good one stays.
   */
  siteFileChanged(reload: () => ConfigReport): Promise<void>;
  /** Prepares the renderer in the background, queued like a change. */
  warm(): Promise<void>;
}

const tenths = (ms: number) => Math.round(ms * 10) / 10;

/**
 * What the session adds to every page through the production templates (the `dev` template
 * variable, which production never passes): the problems banner, the reload script, and a
 * "Draft" or "Scheduled" badge by slug.
 */
function devView(posts: readonly Post[], problems: DevProblem[], now: Date) {
  const badges: Record<string, string> = {};
  for (const post of posts) {
    if (post.draft) badges[post.slug] = 'Draft';
    else if (post.date > now) badges[post.slug] = 'Scheduled';
  }
  return { reloadScript: RELOAD_SCRIPT, problems, badges };
}

/** `terminal`: where a post's problems go as plain lines when they change (problem-lines.ts). */
export function createDevSession(
  content: DevContent,
  logger: Logger,
  terminal: (line: string) => void,
): DevSession {
  const live = createLiveReload();
  const reportProblems = problemLines(terminal);
  reportProblems(content.problems(), content.files());
  /** For tests and the bench: file → how many times its body was re-rendered after a change. */
  const postRenders: Record<string, number> = {};
  const stats = { postRenders, shikiCalls: 0 };
  let env: nunjucks.Environment | undefined;
  let store: PageStore | undefined;
  let meta: SiteMeta | undefined;
  let queue: Promise<void> = Promise.resolve();
  const viewNow = () => devView(content.site().posts, content.problems(), new Date());
  let view = viewNow();
  let viewKey = JSON.stringify(view);

  /** Runs changes one after another; a failing one is logged and does not stop the next. */
  const enqueue = (task: () => Promise<void>): Promise<void> => {
    queue = queue.then(task).catch((error: unknown) => {
      logger.error({ err: asError(error) }, `dev server: ${describeError(error)}`);
    });
    return queue;
  };

  const plugin = fp<DevPluginOptions>(
    async (fastify: FastifyInstance, options) => {
      store = options.store;
      meta = options.meta;
      live.routes(fastify);
      fastify.get('/__dev/stats', (_request, reply) => reply.send(stats));

      // Before the page routes: old slugs and aliases redirect, never-valid posts explain why.
      fastify.addHook('onRequest', async (request, reply) => {
        const slug = /^\/posts\/([^/?#]+)/.exec(request.url)?.[1];
        if (slug === undefined) return;
        let decoded: string;
        try {
          decoded = decodeURIComponent(slug);
        } catch {
          return; // malformed escapes: the page route answers as in production
        }
        if (content.site().bySlug.has(decoded)) return;
        const target = content.redirect(decoded);
        if (target !== undefined) return reply.redirect(postPath(target), 301);
        const problems = content.neverGood(decoded);
        if (problems) {
          const file = problems[0]?.file ?? decoded;
          const html = await fastify.view('dev-problem.njk', { file, dev: view });
          return reply.code(500).type('text/html; charset=utf-8').send(html);
        }
      });
    },
    { name: 'quire-dev', fastify: '5.x' },
  );

  return {
    hooks: {
      onEnvironment: (environment) => {
        env = environment;
      },
      plugin,
      preview: { data: () => ({ dev: view }), key: () => viewKey },
    },

    postChanged(path, seenAt) {
      return enqueue(async () => {
        if (!store) return;
        const started = performance.now();
        const change = await content.update(path);
        const contentMs = performance.now() - started;
        if (change.problemsChanged) reportProblems(content.problems(), content.files());
        // The same bytes saved again, or a second event of a save applied already.
        if (change.changes.length === 0 && !change.problemsChanged) return;
        view = viewNow();
        viewKey = JSON.stringify(view);
        const changed = new Set(store.replaceSite(content.site(), live.watched()));
        for (const { kind, before, after } of change.changes) {
          const pathOf = kind === 'page' ? pagePath : postPath;
          if (before) changed.add(pathOf(before.slug));
          if (after) changed.add(pathOf(after.slug));
        }
        // The banner is on every page.
        live.send(change.problemsChanged ? ['*'] : [...changed]);
        for (const { file, shikiCalls } of change.rendered) {
          stats.postRenders[file] = (stats.postRenders[file] ?? 0) + 1;
          stats.shikiCalls += shikiCalls;
          logger.info(
            {
              file,
              ms: tenths(performance.now() - started),
              contentMs: tenths(contentMs),
              // From the first file event until the change is applied, debounce and queue
              // included: the next request renders the page.
              sinceSeenMs: seenAt === undefined ? undefined : tenths(performance.now() - seenAt),
              shikiCalls,
            },
            'post re-rendered',
          );
        }
      });
    },

    warm() {
      return enqueue(async () => {
        const warmed = await content.warm();
        logger.info(warmed, 'renderer warmed');
      });
    },

    siteFileChanged(reload) {
      return enqueue(async () => {
        if (!store || !meta) return;
        const { config, siteFileProblems } = reload();
        const good = siteFileProblems.length === 0;
        const authors = good ? Object.keys(config.authors) : undefined;
        if (await content.siteFile(siteFileProblems, authors))
          reportProblems(content.problems(), content.files());
        // A broken file changes the banner only; the settings stay the last good file's.
        if (good) Object.assign(meta, siteMeta(config));
        view = viewNow();
        viewKey = JSON.stringify(view);
        store.replaceSite(content.site());
        store.clear(good ? config.pageSize : undefined);
        live.send(['*']);
        logger.info({ file: config.siteFile, problems: siteFileProblems.length }, 'site file read');
      });
    },

    templatesChanged() {
      return enqueue(async () => {
        if (!store) return;
        // Nunjucks caches compiled templates; `invalidateCache` (not in its typings) drops them.
        (env as { invalidateCache?: () => void } | undefined)?.invalidateCache?.();
        store.clear();
        live.send(['*']);
        logger.info({ file: 'templates/' }, 'templates changed: every page renders again');
      });
    },
  };
}
