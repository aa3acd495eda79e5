/**
 * Renders the dev server's pages through the production templates, with a `dev` context the
 * production views never pass: draft/scheduled badges, the problems banner, the reload script.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Post } from '../content/types.ts';
import { type PageCache, postPath, type RenderedPage } from '../http/views.ts';
import type { DevProblem } from './problems.ts';

export const RELOAD_SCRIPT = '/__dev/reload.js';

export interface DevView {
  reloadScript: string;
  problems: DevProblem[];
  /** Slug → "Draft" or "Scheduled". */
  badges: Record<string, string>;
}

export function devView(posts: readonly Post[], problems: DevProblem[]): DevView {
  const now = Date.now();
  const badges: Record<string, string> = {};
  for (const post of posts) {
    if (post.draft) badges[post.slug] = 'Draft';
    else if (post.date.getTime() > now) badges[post.slug] = 'Scheduled';
  }
  return { reloadScript: RELOAD_SCRIPT, problems, badges };
}

function page(html: string): RenderedPage {
  const body = Buffer.from(html, 'utf8');
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
}

export async function renderIndex(
  fastify: FastifyInstance,
  posts: readonly Post[],
  dev: DevView,
): Promise<RenderedPage> {
  return page(await fastify.view('index.njk', { posts, canonical: '/', dev }));
}

export async function renderPost(
  fastify: FastifyInstance,
  post: Post,
  dev: DevView,
): Promise<RenderedPage> {
  const canonical = `/posts/${encodeURIComponent(post.slug)}`;
  return page(await fastify.view('post.njk', { post, canonical, dev }));
}

/** Every page, for a template change or a change of the banner. */
export async function renderAll(
  fastify: FastifyInstance,
  posts: readonly Post[],
  dev: DevView,
): Promise<PageCache> {
  const pages: PageCache = new Map();
  pages.set('/', await renderIndex(fastify, posts, dev));
  for (const post of posts) pages.set(postPath(post.slug), await renderPost(fastify, post, dev));
  return pages;
}

/** The page of a post that has never been valid: the banner says why. */
export async function renderProblemPage(
  fastify: FastifyInstance,
  file: string,
  dev: DevView,
): Promise<string> {
  return fastify.view('dev-problem.njk', { file, dev });
}
