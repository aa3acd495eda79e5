/**
 * Static assets: `templates/assets/*` at `/assets/*` (the stylesheet for now).
 * File names are not fingerprinted yet, so browsers revalidate (ETag and
 * Last-Modified from @fastify/static) instead of caching for long.
 */
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const ASSETS_DIR = fileURLToPath(new URL('../../templates/assets/', import.meta.url));

export default async function assets(fastify: FastifyInstance): Promise<void> {
  await fastify.register(fastifyStatic, {
    root: ASSETS_DIR,
    prefix: '/assets/',
    decorateReply: false,
    index: false,
    list: false,
    dotfiles: 'deny',
    cacheControl: true,
    maxAge: 0,
  });
}
