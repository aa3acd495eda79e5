/**
 * The index (`/`, `/page/2`, …) and posts (`/posts/:slug`), from the page store. `/page/1`
 * redirects to `/`; a page number that is not a canonical positive integer, or past the last
 * page, is a 404. A post's aliases and former slugs answer 301 to its URL, query kept.
 */
import type { FastifyInstance } from 'fastify';
import { parsePageNumber } from '../../content/site/pagination.ts';
import type { PageStore } from '../page-store.ts';
import { indexPath, postPath } from '../paths.ts';
import { movedPermanently, notFound, sendPage, servePage, withPage } from '../send-page.ts';

export default async function pages(
  fastify: FastifyInstance,
  { store }: { store: PageStore },
): Promise<void> {
  fastify.get('/', (request, reply) =>
    servePage(store, request, reply, { kind: 'index', page: 1 }),
  );

  fastify.get<{ Params: { page: string } }>('/page/:page', (request, reply) => {
    const page = parsePageNumber(request.params.page);
    if (page === 1) return movedPermanently(store, request, reply, indexPath());
    if (page === undefined) return notFound(reply);
    return servePage(store, request, reply, { kind: 'index', page });
  });

  fastify.get<{ Params: { slug: string } }>('/posts/:slug', (request, reply) => {
    const { slug } = request.params;
    return withPage(store, { kind: 'post', slug }, (page) => {
      if (page) return sendPage(store, request, reply, page);
      const current = store.redirect(slug);
      if (current !== undefined) return movedPermanently(store, request, reply, postPath(current));
      return notFound(reply);
    });
  });
}
