/**
 * Static assets: `templates/assets/*` at `/assets/*` (the stylesheet for now).
 * File names are not fingerprinted yet, so browsers revalidate (ETag and
 * Last-Modified from @fastify/static) instead of caching for long.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export interface AssetsOptions {
  /** The theme's `assets/` folder (config `TEMPLATES_DIR`). */
  dir: string;
}

export default async function assets(
  fastify: FastifyInstance,
  { dir }: AssetsOptions,
): Promise<void> {
  await fastify.register(fastifyStatic, {
    root: dir,
    prefix: '/assets/',
    decorateReply: false,
    index: false,
    list: false,
    dotfiles: 'deny',
    cacheControl: true,
    maxAge: 0,
  });
}
