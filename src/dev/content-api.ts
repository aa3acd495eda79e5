/**
 * What the dev server's content offers the session (content.ts builds it): the posts as they
 * are now, their problems, and what one file change did, so only affected pages re-render.
 */
import type { Post } from '../content/types.ts';
import type { DevProblem } from './problems.ts';

/** What one file change did, for re-rendering only the affected pages. */
export interface FileChange {
  file: string;
  /** Slug of the post page to (re-)render, if the file has a good version now. */
  slug?: string | undefined;
  /** Slugs whose page must go: deleted posts, old slugs of renamed posts. */
  removed: string[];
  /** Whether the body went through the Markdown renderer (not just front matter). */
  rendered: boolean;
  /** Whether the set of problems changed (the banner on every page shows them). */
  problemsChanged: boolean;
  shikiCalls: number;
}

export interface DevContent {
  load(): Promise<{ posts: number; rendered: number; ms: number }>;
  /**
   * Starts this process's Shiki and compiles the grammar of every code language in the posts
   * (by rendering one post of each), so the first edits do not pay for it (0.1–0.6 s each).
   */
  warm(): Promise<{ languages: number; ms: number }>;
  /**
   * Reads and renders a file now, changing nothing: `update` uses the result if the file still
   * has the same source then. The watcher calls it as soon as a save's events stop. Resolves
   * true if `update` can apply the file now: it parses (a save seen half-written does not),
   * is the version applied already, or is gone.
   */
  prepare(file: string): Promise<boolean>;
  /** Re-reads one file (a path as `discoverPosts` names it) and applies the change. */
  update(file: string): Promise<FileChange>;
  /** Every file known now, good or broken (paths as `discoverPosts` names them). */
  files(): string[];
  /** Good posts, newest first (a broken file's last good version included). */
  posts(): Post[];
  post(slug: string): Post | undefined;
  problems(): DevProblem[];
  /** Problems of a file that was never good, by the slug its file name gives it. */
  neverGood(slug: string): DevProblem[] | undefined;
  /** Where an old slug or an alias now lives, if not itself. */
  redirect(slug: string): string | undefined;
}
