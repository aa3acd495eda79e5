/**
 * What a reader can see at one moment: the published posts of a `Site` at `now`, and everything
 * derived from them (tags, years, neighbours, related posts, redirects). Pure: tests pass `now`.
 *
 * Scheduling (issue #3): a post whose `date` is after `now` is not in the view at all, so no page,
 * list, feed or redirect can show it. `nextChange` is when the view stops being true: the date of
 * the next scheduled post. Drafts are never in the view, even when the site includes them.
 */
import { defaultSlug } from '../markdown/post-file-links.ts';
import type { Page, Post, Site } from '../types.ts';

export interface TagSummary {
  name: string;
  /** Published posts with this tag, newest first. */
  posts: readonly Post[];
}

export interface YearGroup {
  year: number;
  posts: readonly Post[];
}

export interface PublishedView {
  now: Date;
  /** Published posts, newest first. */
  posts: readonly Post[];
  bySlug: ReadonlyMap<string, Post>;
  /** Tags of published posts, by name; iteration is in name order. */
  tags: ReadonlyMap<string, TagSummary>;
  /** Newest year first. */
  years: readonly YearGroup[];
  /** Old slug or alias → current slug, for published posts only. */
  redirects: ReadonlyMap<string, string>;
  /** When the next scheduled post appears; undefined when none is waiting. */
  nextChange: Date | undefined;
  /** Standalone pages that are not drafts (all of them in the preview), by slug. */
  pages: ReadonlyMap<string, Page>;
}

export interface Neighbours {
  older: Post | undefined;
  newer: Post | undefined;
}

export function isPublished(post: Post, now: Date): boolean {
  return !post.draft && post.date.getTime() <= now.getTime();
}

/**
 * The slug a post had before front matter `slug` overrode it: its file name (its folder's, for an
 * `index.md`). Links made before the override keep working (301). Aliases list any other former
 * slugs; see the README.
 */
export function fileSlug(post: Post): string {
  return defaultSlug(post.file);
}

/**
 * `everything`: the dev server's preview, where drafts and scheduled posts are listed too (with
 * badges) and nothing is waiting to change.
 */
export function publishedView(site: Site, now: Date, everything = false): PublishedView {
  const posts = everything ? [...site.posts] : site.posts.filter((post) => isPublished(post, now));
  const bySlug = new Map(posts.map((post) => [post.slug, post]));

  const tagPosts = new Map<string, Post[]>();
  for (const post of posts) {
    for (const tag of new Set(post.tags)) {
      const list = tagPosts.get(tag) ?? [];
      list.push(post);
      tagPosts.set(tag, list);
    }
  }
  const tags = new Map(
    [...tagPosts.keys()]
      .sort((a, b) => a.localeCompare(b))
      .map((name) => [name, { name, posts: tagPosts.get(name) ?? [] }]),
  );

  // Posts are newest first, so the years are too.
  const byYear = Map.groupBy(posts, (post) => post.date.getUTCFullYear());
  const years = [...byYear].map(([year, posts]): YearGroup => ({ year, posts }));

  // A live page always wins over a redirect; among redirects, aliases (explicit) beat file names.
  const redirects = new Map<string, string>();
  for (const post of posts) {
    const old = fileSlug(post);
    if (old !== post.slug && !bySlug.has(old)) redirects.set(old, post.slug);
  }
  for (const post of posts) {
    for (const alias of post.aliases) if (!bySlug.has(alias)) redirects.set(alias, post.slug);
  }

  let nextChange: Date | undefined;
  for (const post of everything ? [] : site.posts) {
    if (post.draft || post.date.getTime() <= now.getTime()) continue;
    if (!nextChange || post.date < nextChange) nextChange = post.date;
  }

  const pages = new Map([...site.pages].filter(([, page]) => everything || !page.draft));
  return { now, posts, bySlug, tags, years, redirects, nextChange, pages };
}

/** The older and newer published post around `post`. */
export function neighbours(view: PublishedView, post: Post): Neighbours {
  const index = positionsIn(view).position.get(post) ?? -1;
  return { newer: view.posts[index - 1], older: view.posts[index + 1] };
}

/**
 * Each post's position and each tag's posts as positions, once per view rather than a search
 * per page: every post page asks for its neighbours and related posts, and after a scheduled
 * post goes live every cached one is checked again (page-store.ts).
 */
interface Positions {
  position: Map<Post, number>;
  tagPositions: Map<string, Int32Array>;
}
const positions = new WeakMap<PublishedView, Positions>();

function positionsIn(view: PublishedView): Positions {
  let found = positions.get(view);
  if (!found) {
    const position = new Map(view.posts.map((post, index) => [post, index]));
    const tagPositions = new Map<string, Int32Array>();
    for (const [name, tag] of view.tags) {
      tagPositions.set(
        name,
        Int32Array.from(tag.posts, (post) => position.get(post) ?? -1),
      );
    }
    found = { position, tagPositions };
    positions.set(view, found);
  }
  return found;
}

/**
 * Other published posts sharing the most tags with `post`; ties go to the newer post (the one
 * listed first). Posts with no tag in common are never "related".
 */
export function relatedPosts(view: PublishedView, post: Post, limit = 3): Post[] {
  const { position, tagPositions } = positionsIn(view);
  const self = position.get(post);
  const counts = new Uint16Array(view.posts.length);
  const candidates: number[] = [];
  for (const tag of new Set(post.tags)) {
    for (const other of tagPositions.get(tag) ?? []) {
      if (other === self) continue;
      const count = counts[other] as number;
      if (count === 0) candidates.push(other);
      counts[other] = count + 1;
    }
  }
  // The best `limit` in one pass: more shared tags first, then the lower position (newer).
  const best: number[] = [];
  for (const other of candidates) {
    const count = counts[other] as number;
    let at = best.length;
    while (at > 0) {
      const above = best[at - 1] as number;
      const aboveCount = counts[above] as number;
      if (aboveCount > count || (aboveCount === count && above < other)) break;
      at--;
    }
    if (at >= limit) continue;
    best.splice(at, 0, other);
    if (best.length > limit) best.pop();
  }
  return best.map((index) => view.posts[index] as Post);
}

/** The most recent moment any of `posts` changed (published or updated); undefined for none. */
export function lastChanged(posts: Iterable<Post | undefined>): Date | undefined {
  let latest: Date | undefined;
  for (const post of posts) {
    if (!post) continue;
    const changed = post.updated && post.updated > post.date ? post.updated : post.date;
    if (!latest || changed > latest) latest = changed;
  }
  return latest;
}
