/** The immutable site model a reader is served, from the good posts of a load. */
import { createHash } from 'node:crypto';
import type { BodyStore } from '../cache/body-store.ts';
import type { Post, RenderedBody, Site } from '../types.ts';

export function siteOf(
  meta: { title: string; url: string },
  posts: readonly Post[],
  store: BodyStore,
  /** For a body the cache does not have (lost, or never written). */
  renderFromSource: (post: Post) => Promise<RenderedBody>,
): Site {
  const sorted = [...posts].sort(
    (a, b) => b.date.getTime() - a.date.getTime() || a.slug.localeCompare(b.slug),
  );
  const version = createHash('sha256');
  for (const post of posts) version.update(post.bodyKey);
  return {
    title: meta.title,
    url: meta.url,
    posts: sorted,
    bySlug: new Map(sorted.map((post) => [post.slug, post])),
    version: version.digest('hex').slice(0, 16),
    async body(post) {
      const body = (await store.read(post.bodyKey)) ?? (await renderFromSource(post));
      return body.html;
    },
  };
}
