/**
 * The reader's pages: `/` and `/posts/:slug`, served from the page cache
 * filled by `views.ts` (see there). HEAD comes from Fastify's exposeHeadRoutes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type PageCache, postPath, type RenderedPage } from '../views.ts';

export interface PagesOptions {
  pages: PageCache;
}

/** RFC 9110 If-None-Match: `*` or a list of (possibly weak) entity tags. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

function sendPage(request: FastifyRequest, reply: FastifyReply, page: RenderedPage): FastifyReply {
  reply.header('etag', page.etag).header('cache-control', 'no-cache');
  if (etagMatches(request.headers['if-none-match'], page.etag)) {
    return reply.code(304).send();
  }
  return reply.type('text/html; charset=utf-8').send(page.body);
}

export default async function pages(
  fastify: FastifyInstance,
  { pages }: PagesOptions,
): Promise<void> {
  fastify.get('/', (request, reply) => {
    const page = pages.get('/');
    return page ? sendPage(request, reply, page) : reply.callNotFound();
  });

  fastify.get<{ Params: { slug: string } }>('/posts/:slug', (request, reply) => {
    const page = pages.get(postPath(request.params.slug));
    return page ? sendPage(request, reply, page) : reply.callNotFound();
  });
}
