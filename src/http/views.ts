/**
 * Templates (nunjucks through @fastify/view) and the in-memory page cache.
 *
 * Every page of a content version is rendered once, in an `onReady` hook, and
 * kept in `pages` (path → { body, etag }) already encoded as UTF-8. Serving a
 * page is then a Map lookup and a buffer write: no Markdown, no Shiki, no
 * template work, not even string encoding per request (encoding a 20 KB page
 * with non-ASCII characters was the largest cost per request in a profile). A new content version is a new `Site`, and so a new app (or a new
 * call to `renderPages`).
 *
 * Autoescaping is on: every `{{ value }}` is HTML-escaped. Post bodies are
 * already sanitized by the content pipeline and are the one thing output with
 * `| safe`.
 */
import { createHash } from 'node:crypto';
import fastifyView from '@fastify/view';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import nunjucks from 'nunjucks';
import { tableOfContents } from '../content/toc.ts';
import type { Site } from '../content/types.ts';

export interface RenderedPage {
  /** The HTML, UTF-8 encoded once. */
  body: Buffer;
  /** Strong validator for conditional GETs, quoted as it goes on the wire. */
  etag: string;
}

/** URL path (decoded, as routes see it) → rendered page. */
export type PageCache = Map<string, RenderedPage>;

export interface ViewsOptions {
  site: Site;
  /** Filled in `onReady`; the pages routes read from the same Map. */
  pages: PageCache;
  /**
   * The dev server: it fills `pages` itself (drafts, badges, live reload), so no pre-rendering
   * here, and it gets the template environment to drop its cache when a template changes.
   */
  dev?: { onEnvironment(env: nunjucks.Environment): void } | undefined;
  /** The theme's templates (config `TEMPLATES_DIR`). */
  templatesDir: string;
  /** URL of a theme asset (`asset('style.css')` in templates), see asset-manifest.ts. */
  assetUrl: (name: string) => string;
}

/** What templates may read about the site, on every page. */
export interface SiteView {
  title: string;
  url: string;
}

export const postPath = (slug: string) => `/posts/${slug}`;

const humanDateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' });

/** Filters and functions available in every template. Dates are calendar dates, in UTC. */
function configureEnvironment(env: nunjucks.Environment, assetUrl: (name: string) => string): void {
  env.addFilter('isodate', (date: Date) => date.toISOString().slice(0, 10));
  env.addFilter('humandate', (date: Date) => humanDateFormat.format(date));
  env.addFilter('toc', tableOfContents);
  env.addGlobal('asset', assetUrl);
}

function rendered(html: string): RenderedPage {
  const body = Buffer.from(html, 'utf8');
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 27);
  return { body, etag: `"${hash}"` };
}

/** Renders `/` and every `/posts/:slug` of a site. */
export async function renderPages(fastify: FastifyInstance, site: Site): Promise<PageCache> {
  const pages: PageCache = new Map();
  pages.set('/', rendered(await fastify.view('index.njk', { posts: site.posts, canonical: '/' })));
  for (const post of site.posts) {
    const canonical = `/posts/${encodeURIComponent(post.slug)}`;
    pages.set(postPath(post.slug), rendered(await fastify.view('post.njk', { post, canonical })));
  }
  return pages;
}

async function views(
  fastify: FastifyInstance,
  { site, pages, dev, templatesDir, assetUrl }: ViewsOptions,
): Promise<void> {
  const siteView: SiteView = { title: site.title, url: site.url };
  await fastify.register(fastifyView, {
    engine: { nunjucks },
    root: templatesDir,
    defaultContext: { site: siteView },
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
  if (dev) return;

  fastify.addHook('onReady', async () => {
    const fresh = await renderPages(fastify, site);
    pages.clear();
    for (const [path, page] of fresh) pages.set(path, page);
    fastify.log.info({ pages: pages.size, contentVersion: site.version }, 'pages rendered');
  });
}

export default fp(views, { name: 'quire-views', fastify: '5.x' });
