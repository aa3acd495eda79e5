/**
 * The files beside the posts and their image variants at `/media/*` (issue #18), by the URLs of
 * the site's media manifest (content/media/media-manifest.ts): content-hashed, so cached for a
 * year and `immutable`, like the theme's hashed assets (assets.ts). A URL with an older hash of a
 * file still shown redirects to its current one; any other answers 404. The file comes from the
 * manifest's table, never from the request path: nothing outside the posts folder and the render
 * cache can be reached.
 *
 * An SVG is served with a sandboxing Content-Security-Policy: opened on its own, a script in it
 * must not run on the site's origin (posts are sanitized whoever wrote them; so are their files).
 *
 * A post's social card is drawn by its first request (content/cards/card-store.ts), then served
 * from the render cache like any variant; when the cache could not take it, from this process's
 * memory with the same headers.
 */
import { createHash } from 'node:crypto';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { HttpMetrics } from '../metrics.ts';
import type { PageStore } from './page-store.ts';
import { etagMatches, notFound } from './send-page.ts';

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;
/** A redirect to a file's current URL lasts as long as pages linking to the old one. */
const MOVED_CACHE_CONTROL = 'public, max-age=60';
const SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

export default async function media(
  fastify: FastifyInstance,
  { store, postsDir, metrics }: { store: PageStore; postsDir: string; metrics?: HttpMetrics },
): Promise<void> {
  await fastify.register(fastifyStatic, {
    root: postsDir, // required; each file is sent from the root its manifest entry names
    serve: false,
    decorateReply: true,
    index: false,
    list: false,
  });

  fastify.get('/media/*', async (request, reply) => {
    const answer = store.media(request.url);
    if (answer === undefined) return notFound(reply);
    if ('moved' in answer) {
      return reply.header('cache-control', MOVED_CACHE_CONTROL).redirect(answer.moved, 301);
    }
    const card = await answer.card?.();
    if (card?.seconds !== undefined) {
      metrics?.cardsDrawn.inc();
      request.log.info(
        { file: answer.file, ms: Math.round(card.seconds * 1000) },
        'social card made',
      );
    }
    if (card?.cacheError !== undefined) request.log.warn(card.cacheError);
    if (card?.png) {
      const etag = `"${createHash('sha256').update(card.png).digest('base64url').slice(0, 27)}"`;
      reply
        .header('cache-control', `public, max-age=${YEAR_MS / 1000}, immutable`)
        .header('etag', etag)
        .type('image/png');
      if (etagMatches(request.headers['if-none-match'], etag)) return reply.code(304).send();
      return reply.header('content-length', card.png.length).send(card.png);
    }
    if (answer.file.toLowerCase().endsWith('.svg')) {
      reply.header('content-security-policy', SVG_POLICY);
    }
    return reply.sendFile(answer.file, answer.root, { maxAge: YEAR_MS, immutable: true });
  });
}
