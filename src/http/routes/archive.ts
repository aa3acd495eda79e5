/** `/archive/`: every published post, grouped by year, newest first. */
import type { FastifyInstance } from 'fastify';
import type { PageStore } from '../page-store.ts';
import { ARCHIVE_PATH } from '../paths.ts';
import { movedPermanently, servePage } from '../send-page.ts';

export default async function archive(
  fastify: FastifyInstance,
  { store }: { store: PageStore },
): Promise<void> {
  fastify.get('/archive/', (request, reply) =>
    servePage(store, request, reply, { kind: 'archive' }),
  );
  fastify.get('/archive', (request, reply) =>
    movedPermanently(store, request, reply, ARCHIVE_PATH),
  );
}
