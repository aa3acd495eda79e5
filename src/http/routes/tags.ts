/**
 * `/tags/` (every tag with its number of posts), `/tags/:tag` and its pages, and a tag's feeds.
 * A tag with no published post is a 404, like a page number past its last page.
 */
import type { FastifyInstance } from 'fastify';
import { parsePageNumber } from '../../content/site/pagination.ts';
import type { PageStore } from '../page-store.ts';
import { FEED_FILES, FEED_FORMATS, TAGS_PATH, tagPath } from '../paths.ts';
import { movedPermanently, notFound, servePage } from '../send-page.ts';

type TagParams = { Params: { tag: string } };

export default async function tags(
  fastify: FastifyInstance,
  { store }: { store: PageStore },
): Promise<void> {
  fastify.get(TAGS_PATH, (request, reply) => servePage(store, request, reply, { kind: 'tags' }));

  fastify.get<TagParams>('/tags/:tag', (request, reply) =>
    servePage(store, request, reply, { kind: 'tag', tag: request.params.tag, page: 1 }),
  );

  fastify.get<{ Params: { tag: string; page: string } }>(
    '/tags/:tag/page/:page',
    (request, reply) => {
      const { tag } = request.params;
      const page = parsePageNumber(request.params.page);
      if (page === 1) return movedPermanently(store, request, reply, tagPath(tag));
      if (page === undefined) return notFound(reply);
      return servePage(store, request, reply, { kind: 'tag', tag, page });
    },
  );

  for (const format of FEED_FORMATS) {
    fastify.get<TagParams>(`/tags/:tag/${FEED_FILES[format]}`, (request, reply) =>
      servePage(store, request, reply, { kind: 'feed', format, tag: request.params.tag }),
    );
  }
}
