/** `/sitemap.xml` and `/robots.txt` (render/sitemap.ts). */
import type { FastifyInstance } from 'fastify';
import type { PageStore } from '../page-store.ts';
import { ROBOTS_PATH, SITEMAP_PATH } from '../paths.ts';
import { servePath } from '../send-page.ts';

export default async function searchEngines(
  fastify: FastifyInstance,
  { store }: { store: PageStore },
): Promise<void> {
  for (const path of [SITEMAP_PATH, ROBOTS_PATH]) {
    fastify.get(path, (request, reply) => servePath(store, request, reply, path));
  }
}
