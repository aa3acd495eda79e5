/**
 * Static assets: `templates/assets/*` at `/assets/*`, under two names (see asset-manifest.ts).
 *
 * - Hashed (`/assets/style.1a2b3c4d5e.css`, what pages link to): the name changes with the
 *   content, so browsers and proxies may keep it a year without revalidating (`immutable`).
 * - Plain (`/assets/style.css`): still served for anything linking to it directly, cached for
 *   five minutes, then revalidated with ETag / Last-Modified (on every load in the dev server).
 *
 * @fastify/static does the serving (ranges, validators, HEAD, content types, path checks);
 * this route only picks the file and its cache policy.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { AssetManifest } from './asset-manifest.ts';

export interface AssetsOptions {
  /** The theme's `assets/` folder (config `TEMPLATES_DIR`). */
  dir: string;
  manifest: AssetManifest;
  /**
   * The dev server: plain names (all its pages use) are revalidated on every load, so a
   * stylesheet edit shows on the live reload that follows it.
   */
  dev?: boolean;
}

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;
const PLAIN_MAX_AGE_MS = 5 * 60 * 1000;

export default async function assets(
  fastify: FastifyInstance,
  { dir, manifest, dev = false }: AssetsOptions,
): Promise<void> {
  await fastify.register(fastifyStatic, {
    root: dir,
    serve: false, // no routes of its own: the one below chooses the file and cache policy
    decorateReply: true,
    index: false,
    list: false,
    dotfiles: 'deny',
  });

  fastify.get<{ Params: { '*': string } }>('/assets/*', (request, reply) => {
    const name = request.params['*'];
    const hashedFile = manifest.fileOf(name);
    if (hashedFile !== undefined) {
      return reply.sendFile(hashedFile, { maxAge: YEAR_MS, immutable: true });
    }
    return reply.sendFile(name, { maxAge: dev ? 0 : PLAIN_MAX_AGE_MS, immutable: false });
  });
}
