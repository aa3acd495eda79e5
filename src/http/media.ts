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
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { PageStore } from './page-store.ts';
import { notFound } from './send-page.ts';

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;
/** A redirect to a file's current URL lasts as long as pages linking to the old one. */
const MOVED_CACHE_CONTROL = 'public, max-age=60';
const SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

export default async function media(
  fastify: FastifyInstance,
  { store, postsDir }: { store: PageStore; postsDir: string },
): Promise<void> {
  await fastify.register(fastifyStatic, {
    root: postsDir, // required; each file is sent from the root its manifest entry names
    serve: false,
    decorateReply: true,
    index: false,
    list: false,
  });

  fastify.get('/media/*', (request, reply) => {
    const answer = store.media(request.url);
    if (answer === undefined) return notFound(reply);
    if ('moved' in answer) {
      return reply.header('cache-control', MOVED_CACHE_CONTROL).redirect(answer.moved, 301);
    }
    if (answer.file.toLowerCase().endsWith('.svg')) {
      reply.header('content-security-policy', SVG_POLICY);
    }
    return reply.sendFile(answer.file, answer.root, { maxAge: YEAR_MS, immutable: true });
  });
}
