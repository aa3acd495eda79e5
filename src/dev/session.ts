/**
 * One dev session: the content, the page cache it fills, live reload, and the counters tests and
 * the bench read. Changes are applied one at a time (a queue), so a page is never rendered from
 * a half-applied change and the Shiki call count of each post render is its own.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import type nunjucks from 'nunjucks';
import type { DevHooks } from '../app.ts';
import { ARCHIVE_PATH, TAGS_PATH } from '../http/paths.ts';
import { type PageCache, postPath } from '../http/views.ts';
import type { Logger } from '../log.ts';
import type { DevContent } from './content-api.ts';
import { createLiveReload } from './live-reload.ts';
import { devView, renderAll, renderIndex, renderPost, renderProblemPage } from './pages.ts';
import { describeError } from '../error-text.ts';

export interface DevStats {
  /** File → how many times its body was re-rendered after a change. */
  postRenders: Record<string, number>;
  /** Times every page was rendered (start, template changes, banner changes). */
  fullRenders: number;
  shikiCalls: number;
}

export interface DevSession {
  hooks: DevHooks;
  /** `seenAt`: when the watcher first saw the change (`performance.now()`). */
  postChanged(file: string, seenAt?: number): Promise<void>;
  templatesChanged(what: string): Promise<void>;
  /** Prepares the renderer in the background, queued like a change. */
  warm(): Promise<void>;
}

const tenths = (ms: number) => Math.round(ms * 10) / 10;

export function createDevSession(content: DevContent, logger: Logger): DevSession {
  const live = createLiveReload();
  const stats: DevStats = { postRenders: {}, fullRenders: 0, shikiCalls: 0 };
  let env: nunjucks.Environment | undefined;
  let app: FastifyInstance | undefined;
  let pages: PageCache | undefined;
  let queue: Promise<void> = Promise.resolve();
  /**
   * The index lists every post (~8 ms of template work for 1000): after a post change it is
   * rendered when next asked for, not on the way to the edited post's page.
   */
  let indexStale = false;

  /** Runs changes one after another; a failing one is logged and does not stop the next. */
  const enqueue = (task: () => Promise<void>): Promise<void> => {
    queue = queue.then(task).catch((error: unknown) => {
      const err = error instanceof Error ? error : new Error(describeError(error));
      logger.error({ err }, `dev server: ${describeError(error)}`);
    });
    return queue;
  };

  const renderEverything = async (fastify: FastifyInstance, cache: PageCache) => {
    const fresh = await renderAll(
      fastify,
      content.posts(),
      devView(content.posts(), content.problems()),
    );
    cache.clear();
    for (const [path, page] of fresh) cache.set(path, page);
    indexStale = false;
    stats.fullRenders++;
  };

  const plugin = fp<{ pages: PageCache }>(
    async (fastify, options) => {
      app = fastify;
      pages = options.pages;
      live.routes(fastify);
      fastify.get('/__dev/stats', (_request, reply) => reply.send(stats));

      // Before the page routes: old slugs and aliases redirect, never-valid posts explain why.
      fastify.addHook('onRequest', async (request, reply) => {
        if (indexStale && (request.url === '/' || request.url.startsWith('/?'))) {
          indexStale = false; // before rendering: a change meanwhile marks it stale again
          const posts = content.posts();
          options.pages.set(
            '/',
            await renderIndex(fastify, posts, devView(posts, content.problems())),
          );
          return;
        }
        const slug = /^\/posts\/([^/?#]+)/.exec(request.url)?.[1];
        if (slug === undefined) return;
        let decoded: string;
        try {
          decoded = decodeURIComponent(slug);
        } catch {
          return; // malformed escapes: the page route answers as in production
        }
        if (options.pages.has(postPath(decoded))) return;
        const target = content.redirect(decoded);
        if (target !== undefined) return reply.redirect(postPath(target), 301);
        const problems = content.neverGood(decoded);
        if (problems) {
          const file = problems[0]?.file ?? decoded;
          const html = await renderProblemPage(fastify, file, devView([], content.problems()));
          return reply.code(500).type('text/html; charset=utf-8').send(html);
        }
      });

      fastify.addHook('onReady', async () => {
        await renderEverything(fastify, options.pages);
        logger.info({ pages: options.pages.size }, 'pages rendered');
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
      preview: {
        posts: () => content.posts(),
        context: () => ({ dev: devView(content.posts(), content.problems()) }),
      },
    },

    postChanged(file, seenAt) {
      return enqueue(async () => {
        if (!app || !pages) return;
        const started = performance.now();
        const change = await content.update(file);
        const contentMs = performance.now() - started;
        // The same bytes saved again, or a second event of a save applied already.
        if (!change.rendered && change.removed.length === 0 && !change.problemsChanged) return;
        let pageMs = 0;
        if (change.rendered) {
          stats.postRenders[file] = (stats.postRenders[file] ?? 0) + 1;
          stats.shikiCalls += change.shikiCalls;
        }
        const paths = ['/'];
        for (const slug of change.removed) {
          pages.delete(postPath(slug));
          paths.push(postPath(slug));
        }
        if (change.problemsChanged) {
          // The banner is on every page.
          await renderEverything(app, pages);
          paths.splice(0, paths.length, '*');
        } else {
          const posts = content.posts();
          const view = devView(posts, content.problems());
          const post = change.slug === undefined ? undefined : content.post(change.slug);
          if (post) {
            pages.set(postPath(post.slug), await renderPost(app, post, view));
            paths.push(postPath(post.slug));
            // The lists rendered on request (page-store.ts, preview) that show this post.
            paths.push(ARCHIVE_PATH, TAGS_PATH, ...post.tags.map((tag) => `/tags/${tag}`));
            pageMs = performance.now() - started;
          }
          indexStale = true;
        }
        live.send(paths);
        if (change.rendered)
          logger.info(
            {
              file,
              ms: tenths(performance.now() - started),
              contentMs: tenths(contentMs),
              pageMs: tenths(pageMs),
              // From the first file event to the new page, debounce and queue included.
              sinceSeenMs: seenAt === undefined ? undefined : tenths(started + pageMs - seenAt),
              shikiCalls: change.shikiCalls,
            },
            'post re-rendered',
          );
      });
    },

    warm() {
      return enqueue(async () => {
        const warmed = await content.warm();
        logger.info(warmed, 'renderer warmed');
      });
    },

    templatesChanged(what) {
      return enqueue(async () => {
        if (!app || !pages) return;
        // Nunjucks caches compiled templates; `invalidateCache` (not in its typings) drops them.
        (env as { invalidateCache?: () => void } | undefined)?.invalidateCache?.();
        await renderEverything(app, pages);
        live.send(['*']);
        logger.info({ file: what, pages: pages.size }, 'templates changed: pages re-rendered');
      });
    },
  };
}
