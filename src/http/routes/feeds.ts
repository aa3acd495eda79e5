/** The site's feeds: Atom `/feed.xml`, RSS `/rss.xml`, JSON Feed `/feed.json` (pages/feeds.ts). */
import type { FastifyInstance } from 'fastify';
import type { PageStore } from '../page-store.ts';
import { FEED_FORMATS, feedPath } from '../paths.ts';
import { servePage } from '../send-page.ts';

export default async function feeds(
  fastify: FastifyInstance,
  { store }: { store: PageStore },
): Promise<void> {
  for (const format of FEED_FORMATS) {
    const path = feedPath(format);
    fastify.get(path, (request, reply) =>
      servePage(store, request, reply, { kind: 'feed', format }),
    );
  }
}
