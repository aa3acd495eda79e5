/**
 * Templates: nunjucks through @fastify/view, with Quire's filters; the page store renders pages
 * through it. Autoescaping is on; post bodies (sanitized by the content pipeline) and the
 * JSON-LD (escaped for a script element, `pages/json-ld.ts`) are output with `| safe`.
 */
import fastifyView from '@fastify/view';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import nunjucks from 'nunjucks';
import { humanDate } from '../content/site/human-date.ts';
import { tableOfContents } from '../content/site/toc.ts';
import type { PageStore } from './page-store.ts';
import type { SiteMeta } from './pages/site-meta.ts';
import { postPath, tagPath } from './paths.ts';

export interface ViewsOptions {
  meta: SiteMeta;
  store: PageStore;
  /** The dev server gets the template environment, to drop its cache when a template changes. */
  onEnvironment?: ((env: nunjucks.Environment) => void) | undefined;
  /** The theme's templates (config `TEMPLATES_DIR`). */
  templatesDir: string;
  /** URL of a theme asset (`asset('style.css')` in templates), see asset-manifest.ts. */
  assetUrl: (name: string) => string;
}

async function views(
  fastify: FastifyInstance,
  { meta, store, onEnvironment, templatesDir, assetUrl }: ViewsOptions,
): Promise<void> {
  // @fastify/view adds an `onRequest` hook that gives every reply `locals = {}`, unless a
  // `locals` decorator exists. Nothing here uses `reply.locals` (pages are rendered through
  // `fastify.view` by the page store), so the decorator stays null and no request pays for it.
  fastify.decorateReply('locals', null);
  await fastify.register(fastifyView, {
    engine: { nunjucks },
    root: templatesDir,
    defaultContext: { site: meta },
    options: {
      autoescape: true,
      throwOnUndefined: false,
      trimBlocks: true,
      lstripBlocks: true,
      onConfigure: (env: nunjucks.Environment) => {
        // Filters and functions available in every template. Dates are calendar dates, in UTC.
        env.addFilter('isodate', (date: Date) => date.toISOString().slice(0, 10));
        env.addFilter('isodatetime', (date: Date) => date.toISOString());
        env.addFilter('humandate', humanDate);
        env.addFilter('postpath', (slug: string) => postPath(slug));
        env.addFilter('tagpath', (tag: string) => tagPath(tag));
        env.addFilter('toc', tableOfContents);
        env.addGlobal('asset', assetUrl);
        onEnvironment?.(env);
      },
    },
  });
  fastify.addHook('onReady', async () => {
    store.start((template, data) => fastify.view(template, data));
  });
}

export default fp(views, { name: 'quire-views', fastify: '5.x' });
