/**
 * The immutable site model a reader is served (`Site`), built by the site loader from its good
 * posts and pages: it holds them, the body store and the media manifest, never the loader.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { BodyStore } from '../cache/body-store.ts';
import type { MediaManifest } from '../media/media-manifest.ts';
import { withMedia } from '../media/media-markup.ts';
import type { Renderer } from '../render/pool.ts';
import { ContentError, type Page, type Post, type RenderedBody, type Site } from '../types.ts';
import { PAGES, POSTS, type SourceFields, type SourceKind } from './source-kinds.ts';

/** What a site is made of, from the loader. */
export interface SiteSources {
  posts: Post[];
  pages: Page[];
  store: BodyStore;
  postsDir: string;
  renderer: (work: number) => Renderer;
  manifest: MediaManifest;
}

/**
 * The immutable site model a reader is served, from the good posts and pages. It holds them and
 * the body store, not this loader: a serving process that never updates keeps no file states.
 */
export function siteModel(meta: { title: string; url: string }, from: SiteSources): Site {
  const { posts, pages, store, postsDir, renderer, manifest } = from;
  const sorted = [...posts].sort(
    (a, b) => b.date.getTime() - a.date.getTime() || a.slug.localeCompare(b.slug),
  );
  const version = createHash('sha256');
  for (const post of posts) version.update(`${post.bodyKey}${post.mediaVersion}`);
  for (const page of pages) version.update(`page ${page.bodyKey}`);
  return {
    title: meta.title,
    url: meta.url,
    posts: sorted,
    bySlug: new Map(sorted.map((post) => [post.slug, post])),
    pages: new Map(pages.map((page) => [page.slug, page])),
    version: version.digest('hex').slice(0, 16),
    body: async (of) => {
      const { html, headings } =
        (await store.read(of.bodyKey)) ?? (await renderFromSource(of, store, renderer(1)));
      // A page's path from the posts folder leaves it: its relative images keep their target as
      // written (files beside posts only, issue #18).
      const path = relative(postsDir, of.file).split(sep).join('/');
      // With a cover above it, the body's first image is not the page's first.
      const eager = !('cover' in of) || of.cover === undefined;
      return { html: withMedia(html, path, manifest, eager), headings };
    },
    media: (path) => manifest.answer(path),
  };
}

/**
 * A body rendered from the post's (or page's) file, for a body the cache lost (deleted meanwhile,
 * or never written: full disk, read-only cache). Written back if it can be.
 */
async function renderFromSource(
  of: Post | Page,
  store: BodyStore,
  renderer: Renderer,
): Promise<RenderedBody> {
  const source = await readFile(of.file, 'utf8');
  const kind: SourceKind<SourceFields, unknown> = 'date' in of ? POSTS : PAGES;
  const parsed = await kind.parse(of.file, source);
  if (!parsed.ok) throw new ContentError(parsed.problems);
  try {
    const { body } = await renderer.render({
      file: of.file,
      body: parsed.post.body,
      bodyLine: parsed.post.bodyLine,
    });
    store.write(of.bodyKey, body);
    return body;
  } finally {
    await renderer.close();
  }
}
