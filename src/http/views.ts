/**
 * Templates (nunjucks through @fastify/view) and the in-memory page cache.
 *
 * Every page of a published view is rendered ahead of serving (see `page-store.ts`) and kept
 * already encoded as UTF-8. Serving a page is then a Map lookup and a buffer write: no Markdown,
 * no Shiki, no template work, not even string encoding per request (encoding a 20 KB page with
 * non-ASCII characters was the largest cost per request in a profile).
 *
 * Autoescaping is on: every `{{ value }}` is HTML-escaped. Post bodies are already sanitized by
 * the content pipeline and are output with `| safe`, as is the JSON-LD (escaped for a script
 * element, see `render/json-ld.ts`).
 */
import { createHash } from 'node:crypto';
import fastifyView from '@fastify/view';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import nunjucks from 'nunjucks';
import { tableOfContents } from '../content/toc.ts';
import type { PageStore } from './page-store.ts';
import { postPath, tagPath } from './paths.ts';
import type { SiteMeta } from './render/site-meta.ts';

export { postPath } from './paths.ts';

export interface RenderedPage {
  /** The body, UTF-8 encoded once. */
  body: Buffer;
  /** Strong validator for conditional GETs, quoted as it goes on the wire. */
  etag: string;
  /** Default `text/html; charset=utf-8`. */
  contentType?: string | undefined;
  /** Whole seconds; absent when nothing dates the page. */
  lastModified?: Date | undefined;
}

/** URL path (percent-encoded, as in links; see paths.ts) → rendered page. */
export type PageCache = Map<string, RenderedPage>;

export interface ViewsOptions {
  meta: SiteMeta;
  /** For the log: which content the pages were rendered from. */
  contentVersion: string;
  store: PageStore;
  /**
   * The dev server: it fills the pages itself (drafts, badges, live reload), and gets the
   * template environment to drop its cache when a template changes.
   */
  dev?: { onEnvironment(env: nunjucks.Environment): void } | undefined;
  /** The theme's templates (config `TEMPLATES_DIR`). */
  templatesDir: string;
  /** URL of a theme asset (`asset('style.css')` in templates), see asset-manifest.ts. */
  assetUrl: (name: string) => string;
}

const humanDateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' });

/** Filters and functions available in every template. Dates are calendar dates, in UTC. */
function configureEnvironment(env: nunjucks.Environment, assetUrl: (name: string) => string): void {
  env.addFilter('isodate', (date: Date) => date.toISOString().slice(0, 10));
  env.addFilter('isodatetime', (date: Date) => date.toISOString());
  env.addFilter('humandate', (date: Date) => humanDateFormat.format(date));
  env.addFilter('postpath', (slug: string) => postPath(slug));
  env.addFilter('tagpath', (tag: string) => tagPath(tag));
  env.addFilter('toc', tableOfContents);
  env.addGlobal('asset', assetUrl);
}

export function renderedPage(
  text: string,
  contentType?: string,
  lastModified?: Date,
): RenderedPage {
  const body = Buffer.from(text, 'utf8');
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 27);
  return {
    body,
    etag: `"${hash}"`,
    contentType,
    // HTTP dates have whole seconds; comparing If-Modified-Since needs the same precision.
    lastModified: lastModified && new Date(Math.floor(lastModified.getTime() / 1000) * 1000),
  };
}

async function views(
  fastify: FastifyInstance,
  { meta, contentVersion, store, dev, templatesDir, assetUrl }: ViewsOptions,
): Promise<void> {
  // @fastify/view adds an `onRequest` hook that gives every reply `locals = {}`, unless a
  // `locals` decorator exists. Nothing here uses `reply.locals` (pages are rendered ahead,
  // through `fastify.view`), so the decorator stays null and no request pays for the hook.
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
        configureEnvironment(env, assetUrl);
        dev?.onEnvironment(env);
      },
    },
  });

  fastify.addHook('onReady', async () => {
    const started = performance.now();
    await store.start((template, data) => fastify.view(template, data));
    if (dev) return;
    const ms = Math.round(performance.now() - started);
    let bytes = 0;
    for (const page of store.pages.values()) bytes += page.body.length;
    fastify.log.info({ pages: store.pages.size, bytes, contentVersion, ms }, 'pages rendered');
  });
}

export default fp(views, { name: 'quire-views', fastify: '5.x' });
