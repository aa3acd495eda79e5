/**
 * Standalone pages (issue #18): `/about/` from `pages/about.md`. `/about` answers 301 to it, query
 * kept, as a directory-style address is what links and people type both ways. A name that is no
 * page is the 404 page, as before these routes: the site's own routes are static and win.
 */
import type { FastifyInstance } from 'fastify';
import type { PageStore } from '../page-store.ts';
import { pagePath } from '../paths.ts';
import { movedPermanently, notFound, servePage, withPage } from '../send-page.ts';

type SlugParams = { Params: { slug: string } };

export default async function standalonePages(
  fastify: FastifyInstance,
  { store }: { store: PageStore },
): Promise<void> {
  fastify.get<SlugParams>('/:slug/', (request, reply) =>
    servePage(store, request, reply, { kind: 'page', slug: request.params.slug }),
  );
  fastify.get<SlugParams>('/:slug', (request, reply) => {
    const { slug } = request.params;
    return withPage(store, { kind: 'page', slug }, (page) =>
      page ? movedPermanently(store, request, reply, pagePath(slug)) : notFound(reply),
    );
  });
}
