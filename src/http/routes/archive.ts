/** `/archive/`: every published post, grouped by year, newest first. */
import type { FastifyInstance } from 'fastify';
import type { PageStore } from '../page-store.ts';
import { ARCHIVE_PATH } from '../paths.ts';
import { servePage } from '../send-page.ts';

export default async function archive(
  fastify: FastifyInstance,
  { store }: { store: PageStore },
): Promise<void> {
  fastify.get(ARCHIVE_PATH, (request, reply) =>
    servePage(store, request, reply, { kind: 'archive' }),
  );
}
