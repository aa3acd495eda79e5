/**
 * The one loader of posts (issue #17), used by `npm start`, `npm run render`, `npm run check` and
 * the dev server: posts directory + render cache → the site's posts and every problem in them.
 *
 * A full load reads the site index (cache/site-index.ts), stats every post, and reads, validates
 * and renders only the posts whose size, modification time and content hash changed (and those
 * the index lacks); a body already in the cache is reused. An incremental update does the same
 * for one path (a post or a folder of posts). Both run the same per-file validation and the same
 * cross-file rule (slug-clashes.ts), so an update gives what a full load of the same files gives.
 *
 * Each file keeps its last version that had no problem (`good`): the dev server serves it while the
 * file is broken. Production stops on any problem instead (`strict`), before rendering.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { type BodyStore, createBodyStore } from '../cache/body-store.ts';
import { readSiteIndex, writeSiteIndex } from '../cache/site-index.ts';
import { discoverPosts } from '../source/discover-posts.ts';
import { toPost } from './post.ts';
import { createRenderer, type Renderer } from '../render/pool.ts';
import { ContentError, type ContentProblem, type Post } from '../types.ts';
import type { RenderedBody, Site } from '../types.ts';
import { type FileState, readFileState, settled } from './file-state.ts';
import { renderPending } from './render-pending.ts';
import { checkClashes } from './slug-clashes.ts';

export interface SiteLoaderOptions {
  postsDir: string;
  cacheDir: string;
  /** `false` for `npm run check`: validate only; render nothing, write nothing. */
  render?: boolean;
  /** Stop on the first problems, with every problem (production); else keep going (dev). */
  strict?: boolean;
  /** The renderer for `jobs` bodies. Default: the render pool (in this process for a few). */
  renderer?: (jobs: number) => Renderer;
}

export interface LoadReport {
  /** Post files found, good or not. */
  posts: number;
  /** Good posts that are not drafts. */
  published: number;
  /** Bodies rendered now. */
  rendered: number;
  /** Posts whose body came from the cache. */
  cached: number;
  /** Posts read and validated now (the others came from the index). */
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

/** What an update did to one post file: its good post before and after. */
export interface PostChange {
  file: string;
  before?: Post | undefined;
  after?: Post | undefined;
}

export interface UpdateReport {
  /** Files whose good post changed (added, edited, deleted, renamed). */
  changes: PostChange[];
  /** Whether the set of problems changed. */
  problemsChanged: boolean;
}

const READS_IN_FLIGHT = 16;

export class SiteLoader {
  readonly postsDir: string;
  readonly store: BodyStore;
  readonly #options: SiteLoaderOptions;
  readonly #states = new Map<string, FileState>();
  /** Whether the index on disk lags behind the states. */
  #dirty = false;
  #cacheError: string | undefined;

  constructor(options: SiteLoaderOptions) {
    this.#options = options;
    this.postsDir = options.postsDir;
    this.store = createBodyStore(options.cacheDir);
  }

  /** Reads every post (from the index where it can) and renders what the cache lacks. */
  async load(): Promise<LoadReport> {
    const started = performance.now();
    const index = await readSiteIndex(this.#options.cacheDir, this.postsDir);
    const known = new Map(index.entries.map((entry) => [entry.path, entry]));
    const paths = await discoverPosts(this.postsDir);
    this.#states.clear();
    let next = 0;
    const read = async () => {
      while (next < paths.length) {
        const path = paths[next++] as string;
        const state = await readFileState(this.postsDir, path, { known: known.get(path) });
        if (state) this.#states.set(path, state);
      }
    };
    await Promise.all(Array.from({ length: READS_IN_FLIGHT }, read));
    this.#sortStates();
    this.#dirty ||=
      index.entries.length !== this.#states.size ||
      [...this.#states.values()].some((s) => s.good !== known.get(s.path));
    checkClashes(this.#states.values());
    this.#stopOnProblems();
    const validated = [...this.#states.values()].filter((state) => state.parsed).length;
    const { rendered, renderSeconds } = await this.#renderPending();
    this.#stopOnProblems(); // a post whose Markdown could not be rendered
    if (this.#options.render !== false) {
      this.flush();
      if (this.#cacheError === undefined) await this.store.prune(this.#bodyKeys());
    }
    const goods = [...this.#states.values()].filter((state) => state.good);
    return {
      posts: this.#states.size,
      published: goods.filter((state) => !state.good?.frontMatter.draft).length,
      rendered,
      cached: goods.length - rendered,
      validated,
      ms: Math.round(performance.now() - started),
      warnings: this.warnings(),
      cacheError: this.#cacheError,
      indexWarning: index.warning,
      renderSeconds,
    };
  }

  /**
   * Takes the index as it is, without looking at the posts: for a cluster worker, whose primary has
   * just loaded (and so checked) them and written it. False when there is no usable index.
   */
  async open(): Promise<boolean> {
    const index = await readSiteIndex(this.#options.cacheDir, this.postsDir);
    if (index.warning !== undefined || index.entries.length === 0) return false;
    this.#states.clear();
    for (const entry of index.entries)
      this.#states.set(entry.path, settled(entry.path, join(this.postsDir, entry.path), entry));
    return true;
  }

  /**
   * Applies what happened at `path` (a post file, or a folder of posts moved in, out or deleted):
   * re-reads the files there, validates them against the others, renders what changed. The index is
   * written by `flush`.
   */
  async update(path: string): Promise<UpdateReport> {
    const before = JSON.stringify(this.problems());
    const rel = relative(this.postsDir, path).split(sep).join('/');
    const targets = rel.endsWith('.md') ? [rel] : await this.#postsUnder(rel);
    const goodBefore = new Map<string, Post | undefined>();
    const remember = (target: string) => {
      if (!goodBefore.has(target)) goodBefore.set(target, this.#postOf(this.#states.get(target)));
    };
    for (const target of targets) {
      remember(target);
      const state = this.#states.get(target);
      const fresh = await readFileState(this.postsDir, target, { previous: state });
      if (fresh === undefined) this.#states.delete(target);
      else if (fresh !== state) this.#states.set(target, fresh);
    }
    this.#sortStates();
    // A rename is a delete and a create, reported in either order: a clash with a file that is gone
    // is that file's delete not applied yet.
    for (const gone of await this.#vanishedClaimants()) {
      remember(gone);
      this.#states.delete(gone);
    }
    checkClashes(this.#states.values());
    await this.#renderPending();
    this.#dirty = true;
    const changes: PostChange[] = [];
    for (const [target, previous] of goodBefore) {
      const after = this.#postOf(this.#states.get(target));
      if (after !== previous)
        changes.push({ file: join(this.postsDir, target), before: previous, after });
    }
    return { changes, problemsChanged: JSON.stringify(this.problems()) !== before };
  }

  /** Writes the index if anything changed since it was read. */
  flush(): void {
    if (!this.#dirty || this.#options.render === false) return;
    const entries = [...this.#states.values()].flatMap((state) => (state.good ? [state.good] : []));
    const error = writeSiteIndex(this.#options.cacheDir, this.postsDir, entries);
    if (error === undefined) this.#dirty = false;
    this.#cacheError ??= error;
  }

  /** Every problem, sorted by file and line. */
  problems(): ContentProblem[] {
    return [...this.#states.values()]
      .flatMap((state) => state.problems)
      .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  }

  /** Rendering warnings of the good posts. */
  warnings(): ContentProblem[] {
    return [...this.#states.values()].flatMap((state) =>
      (state.good?.warnings ?? []).map((warning) => ({ file: state.file, ...warning })),
    );
  }

  /** The good post of every file, in path order. */
  posts(): Post[] {
    return [...this.#states.values()].flatMap((state) => {
      const post = this.#postOf(state);
      return post ? [post] : [];
    });
  }

  /** Every file with its problems and good post. */
  files(): { file: string; problems: readonly ContentProblem[]; post: Post | undefined }[] {
    return [...this.#states.values()].map((state) => ({
      file: state.file,
      problems: state.problems,
      post: this.#postOf(state),
    }));
  }

  /** The slug and aliases of each file's current (else good) version, rendered or not. */
  claims(): { file: string; slug: string; aliases: readonly string[] }[] {
    return [...this.#states.values()].flatMap((state) => {
      const version = state.current ?? state.good;
      if (!version) return [];
      return [
        { file: state.file, slug: version.frontMatter.slug, aliases: version.frontMatter.aliases },
      ];
    });
  }

  /** The links of each file to other posts, with their lines, broken ones too (`npm run check`). */
  links(): { file: string; slug: string; line: number }[] {
    return [...this.#states.values()].flatMap((state) =>
      (state.current?.links ?? state.links ?? []).map((link) => ({ file: state.file, ...link })),
    );
  }

  /**
   * The immutable site model a reader is served, from the good posts. It holds the posts and the
   * body store, not this loader: a serving process that never updates keeps no file states.
   */
  site(meta: { title: string; url: string }): Site {
    const posts = this.posts();
    const sorted = [...posts].sort(
      (a, b) => b.date.getTime() - a.date.getTime() || a.slug.localeCompare(b.slug),
    );
    const version = createHash('sha256');
    for (const post of posts) version.update(post.bodyKey);
    const { store } = this;
    const renderer = this.#options.renderer ?? createRenderer;
    return {
      title: meta.title,
      url: meta.url,
      posts: sorted,
      bySlug: new Map(sorted.map((post) => [post.slug, post])),
      version: version.digest('hex').slice(0, 16),
      body: async (post) => {
        const { html, headings } =
          (await store.read(post.bodyKey)) ?? (await renderFromSource(post, store, renderer(1)));
        return { html, headings };
      },
    };
  }

  async #renderPending(): Promise<{ rendered: number; renderSeconds: number[] }> {
    if (this.#options.render === false) return { rendered: 0, renderSeconds: [] };
    const result = await renderPending(this.#states.values(), {
      store: this.store,
      renderer: (jobs) => this.#renderer(jobs),
      strict: this.#options.strict ?? false,
    });
    this.#cacheError ??= result.cacheError;
    return result;
  }

  /** Production stops on any problem, with every one of them. */
  #stopOnProblems(): void {
    if (!this.#options.strict) return;
    const problems = this.problems();
    if (problems.length > 0) throw new ContentError(problems);
  }

  #renderer(jobs: number): Renderer {
    return (this.#options.renderer ?? createRenderer)(jobs);
  }

  #postOf(state: FileState | undefined): Post | undefined {
    if (!state?.good) return undefined;
    state.post ??= toPost(state.file, state.good);
    return state.post;
  }

  #sortStates(): void {
    const sorted = [...this.#states].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    this.#states.clear();
    for (const [path, state] of sorted) this.#states.set(path, state);
  }

  #bodyKeys(): Set<string> {
    const keys = new Set<string>();
    for (const state of this.#states.values()) if (state.good) keys.add(state.good.bodyKey);
    return keys;
  }

  /** Files claiming a clashing name that are no longer on disk. */
  async #vanishedClaimants(): Promise<string[]> {
    checkClashes(this.#states.values());
    const gone: string[] = [];
    for (const state of this.#states.values()) {
      if (state.problems.length === state.parseProblems.length) continue; // no clash
      const exists = await stat(state.file).then(
        () => true,
        () => false,
      );
      if (!exists) gone.push(state.path);
    }
    return gone;
  }

  /** Known post files under the folder `rel`, and the ones on disk there now. */
  async #postsUnder(rel: string): Promise<string[]> {
    const prefix = rel === '' ? '' : `${rel}/`;
    const inside = [...this.#states.keys()].filter((path) => path.startsWith(prefix));
    const present = await readdir(join(this.postsDir, rel), { recursive: true }).then(
      (names) =>
        names
          .filter((name) => name.endsWith('.md'))
          .map((name) => prefix + name.split(sep).join('/')),
      () => [] as string[], // gone, or not a folder
    );
    return [...new Set([...inside, ...present])].sort();
  }
}

/**
 * A body rendered from the post's file, for a body the cache lost (deleted meanwhile, or never
 * written: full disk, read-only cache). Written back if it can be.
 */
async function renderFromSource(
  post: Post,
  store: BodyStore,
  renderer: Renderer,
): Promise<RenderedBody> {
  const source = await readFile(post.file, 'utf8');
  const { parsePost } = await import('../source/front-matter.ts');
  const parsed = parsePost(post.file, source);
  if (!parsed.ok) throw new ContentError(parsed.problems);
  try {
    const { body } = await renderer.render({
      file: post.file,
      body: parsed.post.body,
      bodyLine: parsed.post.bodyLine,
    });
    store.write(post.bodyKey, body);
    return body;
  } finally {
    await renderer.close();
  }
}
