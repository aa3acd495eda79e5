/**
 * Hand-built content models for tests of code that consumes a `Site`, so they
 * do not depend on the Markdown pipeline.
 */
import type { Post, PostBody, Site } from '../../src/content/types.ts';

let counter = 0;
/** Bodies by body key: what the render cache holds for the real pipeline. */
const bodies = new Map<string, PostBody>();

/** A published post; every field can be overridden; `html` and `headings` are its body's. */
export function makePost(overrides: Partial<Post & PostBody> = {}): Post {
  counter += 1;
  const { html = `<p>Body of post ${counter}.</p>`, headings = [], ...fields } = overrides;
  const slug = fields.slug ?? `post-${counter}`;
  const bodyKey = fields.bodyKey ?? `body-${counter}`;
  bodies.set(bodyKey, { html, headings });
  return {
    slug,
    title: `Post ${counter}`,
    date: new Date('2026-01-15T00:00:00Z'),
    updated: undefined,
    tags: [],
    draft: false,
    aliases: [],
    summary: `Summary of post ${counter}.`,
    description: fields.summary ?? `Summary of post ${counter}.`,
    authors: [],
    readingMinutes: 1,
    file: `posts/${slug}.md`,
    mediaVersion: '',
    ...fields,
    bodyKey,
  };
}

/** A site whose `posts` are the given posts sorted newest first, as the pipeline guarantees. */
export function makeSite(posts: readonly Post[] = [], overrides: Partial<Site> = {}): Site {
  const sorted = [...posts].sort((a, b) => b.date.getTime() - a.date.getTime());
  return {
    title: 'Test Blog',
    url: 'https://blog.example',
    posts: sorted,
    bySlug: new Map(sorted.map((post) => [post.slug, post])),
    pages: new Map(),
    version: 'test-version',
    body: async (post) => bodies.get(post.bodyKey) ?? { html: '', headings: [] },
    media: () => undefined,
    ...overrides,
  };
}
