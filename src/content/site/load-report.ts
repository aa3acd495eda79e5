/** What the site loader reports of a full load and of an update (site-loader.ts). */
import type { ContentProblem, Page, Post } from '../types.ts';

export interface LoadReport {
  /** Post files found, good or not. */
  posts: number;
  /** Page files found, good or not. */
  pages: number;
  /** Good posts that are not drafts. */
  published: number;
  /** Bodies rendered now. */
  rendered: number;
  /** Images read, checked or given their variants now (issue #18): none when none changed. */
  images: number;
  /** Social cards made now (issue #18): none when none changed. */
  cards: number;
  /** Posts whose body came from the cache. */
  cached: number;
  /** Files read and validated now (the others came from the index). */
  validated: number;
  ms: number;
  /** Problems in posts that do not stop the site, e.g. an unknown code language. */
  warnings: ContentProblem[];
  /** Set when the cache could not be written: the site works, the next start validates again. */
  cacheError?: string | undefined;
  /** Set when an index was there but could not be used. */
  indexWarning?: string | undefined;
  /** How long each rendered body took, for the render duration histogram. */
  renderSeconds: number[];
}

/** What an update did to one file: its good post (or page) before and after. */
export type PostChange =
  | { kind: 'post'; file: string; before?: Post | undefined; after?: Post | undefined }
  | { kind: 'page'; file: string; before?: Page | undefined; after?: Page | undefined };

export interface UpdateReport {
  /** Files whose good post changed (added, edited, deleted, renamed). */
  changes: PostChange[];
  /** Whether the set of problems changed. */
  problemsChanged: boolean;
}
