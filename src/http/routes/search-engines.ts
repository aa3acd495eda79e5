/** `/sitemap.xml` and `/robots.txt` (pages/sitemap.ts). */
import type { FastifyInstance } from 'fastify';
import type { PageStore } from '../page-store.ts';
import { ROBOTS_PATH, SITEMAP_PATH } from '../paths.ts';
import { servePage } from '../send-page.ts';

export default async function searchEngines(
  fastify: FastifyInstance,
  { store }: { store: PageStore },
): Promise<void> {
  fastify.get(SITEMAP_PATH, (request, reply) =>
    servePage(store, request, reply, { kind: 'sitemap' }),
  );
  fastify.get(ROBOTS_PATH, (request, reply) =>
    servePage(store, request, reply, { kind: 'robots' }),
  );
}
