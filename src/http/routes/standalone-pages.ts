/**
 * Standalone pages (issue #18): `/about/` from `pages/about.md`. `/about` answers 301 to it, query
 * kept, by the one rule of every route (errors.ts: one form per address, issue #19). A name that
 * is no page is the 404 page, and the other form of the site's own routes (`/search/`) still
 * redirects: the site's own routes are static and win, and the not-found handler counts this route
 * only where a page exists.
 */
import type { FastifyInstance } from 'fastify';
import type { PageStore } from '../page-store.ts';
import { servePage } from '../send-page.ts';

type SlugParams = { Params: { slug: string } };

export default async function standalonePages(
  fastify: FastifyInstance,
  { store }: { store: PageStore },
): Promise<void> {
  fastify.get<SlugParams>('/:slug/', (request, reply) =>
    servePage(store, request, reply, { kind: 'page', slug: request.params.slug }),
  );
}
