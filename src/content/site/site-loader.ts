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
import { readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { type BodyStore, createBodyStore } from '../cache/body-store.ts';
import { type MediaEntry, readSiteIndex, writeSiteIndex } from '../cache/site-index.ts';
import { DEFAULT_IMAGE_MAX_MB } from '../../config.ts';
import { resolveFile } from '../markdown/file-references.ts';
import { withMedia } from '../media/media-markup.ts';
import { discoverPosts } from '../source/discover-posts.ts';
import { MediaFiles } from './media-files.ts';
import { mediaVersion, toPost } from './post.ts';
import { createRenderer, type Renderer } from '../render/pool.ts';
import { ContentError, type ContentProblem, type Post } from '../types.ts';
import type { RenderedBody, Site } from '../types.ts';
import { type FileState, readFileState, settled } from './file-state.ts';
import { checkFiles } from './post-files.ts';
import { renderPending } from './render-pending.ts';
import { checkClashes } from './slug-clashes.ts';

export interface SiteLoaderOptions {
  postsDir: string;
  cacheDir: string;
  /** `false` for `npm run check`: validate only; render nothing, write nothing. */
  render?: boolean;
  /** Stop on the first problems, with every problem (production); else keep going (dev). */
  strict?: boolean;
  /** The renderer for so much work (`renderWork`). Default: the render pool (here for a little). */
  renderer?: (work: number) => Renderer;
  /** Config `IMAGE_MAX_MB`: a larger image beside a post is served as is (issue #18). */
  imageMaxMb?: number;
  /**
   * The posts without a cover get a social card (issue #18) with the site's title (config
   * `SITE_TITLE`) in the colours of the theme's `stylesheet`; none when undefined.
   */
  cards?: { siteTitle: string; stylesheet: string } | undefined;
}

export interface LoadReport {
  /** Post files found, good or not. */
  posts: number;
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
  readonly #media: MediaFiles;
  /** Whether the index on disk lags behind the states. */
  #dirty = false;
  #cacheError: string | undefined;
  /** Why the posts get no social cards: the theme's colours could not be read. */
  #themeProblem: ContentProblem | undefined;

  constructor(options: SiteLoaderOptions) {
    this.#options = options;
    this.postsDir = options.postsDir;
    this.store = createBodyStore(options.cacheDir);
    this.#media = new MediaFiles({
      postsDir: options.postsDir,
      cacheDir: options.cacheDir,
      maxImageBytes: (options.imageMaxMb ?? DEFAULT_IMAGE_MAX_MB) * 2 ** 20,
    });
  }

  /** Reads every post (from the index where it can) and renders what the cache lacks. */
  async load(): Promise<LoadReport> {
    const started = performance.now();
    const index = await readSiteIndex(this.#options.cacheDir, this.postsDir);
    await this.#readTheme();
    const known = new Map(index.entries.map((entry) => [entry.path, entry]));
    const { posts: paths, files } = await discoverPosts(this.postsDir);
    this.#states.clear();
    this.#media.paths.clear();
    for (const file of files) this.#media.paths.add(file);
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
    this.#check();
    this.#stopOnProblems();
    const validated = [...this.#states.values()].filter((state) => state.parsed).length;
    const knownMedia = new Map(index.media.map((entry) => [entry.path, entry]));
    const { rendered, images, cards, renderSeconds } = await this.#renderPending({
      known: knownMedia,
    });
    this.#stopOnProblems(); // a post whose Markdown could not be rendered
    // Files read, or whose image job ran, are new entries: the index must say so.
    const media = this.#media.entries();
    this.#dirty ||=
      index.media.length !== media.length ||
      media.some((entry) => entry !== knownMedia.get(entry.path));
    if (this.#options.render !== false) {
      this.flush();
      if (this.#cacheError === undefined)
        await Promise.all([this.store.prune(this.#bodyKeys()), this.#media.prune()]);
    }
    const goods = [...this.#states.values()].filter((state) => state.good);
    return {
      posts: this.#states.size,
      published: goods.filter((state) => !state.good?.frontMatter.draft).length,
      rendered,
      images,
      cards,
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
    this.#media.open(index.media);
    await this.#readTheme();
    await this.#media.openCards(index.entries);
    return true;
  }

  /**
   * Applies what happened at `path` (a post, a file beside the posts, or a folder of them moved
   * in, out or deleted): re-reads the files there, validates them against the others, renders
   * what changed. The index is written by `flush`.
   */
  async update(path: string): Promise<UpdateReport> {
    const before = JSON.stringify(this.problems());
    const rel = relative(this.postsDir, path).split(sep).join('/');
    const { posts: targets, files } = rel.endsWith('.md')
      ? { posts: [rel], files: new Map<string, boolean>() }
      : await this.#under(rel);
    const goodBefore = new Map<string, Post | undefined>();
    const remember = (target: string) => {
      if (!goodBefore.has(target)) goodBefore.set(target, this.#postOf(this.#states.get(target)));
    };
    for (const [file, exists] of files) {
      if (exists) this.#media.paths.add(file);
      else this.#media.paths.delete(file);
    }
    // The posts showing a changed file may change with it (an image's size, its variants).
    for (const [target, state] of this.#states) if (this.#shows(state, files)) remember(target);
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
    this.#check();
    await this.#renderPending({ changed: new Set(files.keys()) });
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
    const media = this.#media.entries();
    const error = writeSiteIndex(this.#options.cacheDir, this.postsDir, entries, media);
    if (error === undefined) this.#dirty = false;
    this.#cacheError ??= error;
  }

  /** Every problem, sorted by file and line. */
  problems(): ContentProblem[] {
    return [...this.#states.values()]
      .flatMap((state) => state.problems)
      .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  }

  /** Rendering warnings of the good posts, and their images' problems. */
  warnings(): ContentProblem[] {
    const rendering = [...this.#states.values()].flatMap((state) =>
      (state.good?.warnings ?? []).map((warning) => ({ file: state.file, ...warning })),
    );
    const theme = this.#themeProblem ? [this.#themeProblem] : [];
    return [...rendering, ...this.imageWarnings(), ...theme];
  }

  /**
   * Images served as they are (too large, corrupt, in a format browsers do not show), at each
   * line of a post (its current, else good version) showing one (issue #18).
   */
  imageWarnings(): ContentProblem[] {
    const manifest = this.#media.manifest();
    return [...this.#states.values()].flatMap((state) => {
      const version = state.current ?? state.good;
      return (version?.files ?? []).flatMap(({ target, line, image }) => {
        const path = image ? resolveFile(version?.path ?? '', target) : undefined;
        const problem = path === undefined ? undefined : manifest.file(path)?.problem;
        if (problem === undefined) return [];
        const message = `image ${join(this.postsDir, path ?? '')} ${problem}`;
        return [{ file: state.file, line, message }];
      });
    });
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
    for (const post of posts) version.update(`${post.bodyKey}${post.mediaVersion}`);
    const { store, postsDir } = this;
    const renderer = this.#options.renderer ?? createRenderer;
    const manifest = this.#media.manifest();
    return {
      title: meta.title,
      url: meta.url,
      posts: sorted,
      bySlug: new Map(sorted.map((post) => [post.slug, post])),
      version: version.digest('hex').slice(0, 16),
      body: async (post) => {
        const { html, headings } =
          (await store.read(post.bodyKey)) ?? (await renderFromSource(post, store, renderer(1)));
        const path = relative(postsDir, post.file).split(sep).join('/');
        // With a cover above it, the body's first image is not the page's first.
        return { html: withMedia(html, path, manifest, post.cover === undefined), headings };
      },
      media: (path) => manifest.answer(path),
    };
  }

  /**
   * Renders what is pending, and runs the image jobs of the files the posts show (`known`: the
   * index's entries; `changed`: files that changed on disk). Posts whose files changed become new
   * posts, so their pages are dropped.
   */
  async #renderPending(media: {
    known?: ReadonlyMap<string, MediaEntry>;
    changed?: ReadonlySet<string>;
  }): Promise<{ rendered: number; images: number; cards: number; renderSeconds: number[] }> {
    const render = this.#options.render !== false;
    const versions = [...this.#states.values()].flatMap((state) =>
      [state.current, state.good].filter((version) => version !== undefined),
    );
    const { images, cards } = await this.#media.sync(versions, { ...media, encode: render });
    const result = await renderPending(this.#states.values(), {
      store: this.store,
      renderer: (work) => this.#renderer(work),
      strict: this.#options.strict ?? false,
      bodies: render,
      images,
      onImage: (path, image) => this.#media.settle(path, image),
      cards,
      onCard: (key, result) => this.#media.settleCard(key, result.cacheError === undefined),
    });
    this.#cacheError ??= result.cacheError;
    const manifest = this.#media.manifest();
    for (const state of this.#states.values()) {
      if (
        state.post &&
        state.good &&
        state.post.mediaVersion !== mediaVersion(state.good, manifest)
      )
        state.post = undefined;
    }
    return result;
  }

  /** The theme's colours for the social cards, if the posts get them; else a warning says why. */
  async #readTheme(): Promise<void> {
    const cards = this.#options.cards;
    this.#themeProblem = undefined;
    if (!cards) return this.#media.useCards(undefined);
    const { stylesheet: file, siteTitle } = cards;
    const { themeColours } = await import('../cards/theme-colours.ts');
    const read = await readFile(file, 'utf8').then(
      (css) => themeColours(file, css),
      (error: NodeJS.ErrnoException) => ({
        problem: {
          file,
          line: 1,
          message: `cannot read the theme's colours: ${error.code ?? error.message}`,
        },
      }),
    );
    if ('problem' in read) this.#themeProblem = read.problem;
    this.#media.useCards('colours' in read ? { siteTitle, colours: read.colours } : undefined);
  }

  /** Clashes between posts, and the files they name (issue #18). */
  #check(): void {
    checkClashes(this.#states.values());
    checkFiles(this.#states.values(), this.#media.paths);
  }

  /** Whether the post shows or links to one of `files`. */
  #shows(state: FileState, files: ReadonlyMap<string, boolean>): boolean {
    if (files.size === 0) return false;
    return [state.current, state.good].some((version) =>
      version?.files.some(({ target }) => files.has(resolveFile(version.path, target) ?? '')),
    );
  }

  /** Production stops on any problem, with every one of them. */
  #stopOnProblems(): void {
    if (!this.#options.strict) return;
    const problems = this.problems();
    if (problems.length > 0) throw new ContentError(problems);
  }

  #renderer(work: number): Renderer {
    return (this.#options.renderer ?? createRenderer)(work);
  }

  #postOf(state: FileState | undefined): Post | undefined {
    if (!state?.good) return undefined;
    state.post ??= toPost(state.file, state.good, this.#media.manifest());
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

  /**
   * The posts and other files at `rel` (a file, or a folder moved in, out or deleted): the known
   * ones and the ones on disk now; each other file with whether it is on disk.
   */
  async #under(rel: string): Promise<{ posts: string[]; files: Map<string, boolean> }> {
    const prefix = rel === '' ? '' : `${rel}/`;
    const here = (path: string) => path === rel || path.startsWith(prefix);
    let present: string[];
    try {
      const found = await discoverPosts(join(this.postsDir, rel));
      present = [...found.posts, ...found.files].map((path) => prefix + path);
    } catch {
      // Not a folder: a file (not a hidden one), or nothing.
      const file = await stat(join(this.postsDir, rel)).then(
        (stats) => stats.isFile(),
        () => false,
      );
      present = file && !rel.split('/').some((part) => part.startsWith('.')) ? [rel] : [];
    }
    const posts = new Set([...this.#states.keys()].filter(here));
    const files = new Map([...this.#media.paths].filter(here).map((path) => [path, false]));
    for (const path of present) {
      if (path.endsWith('.md')) posts.add(path);
      else files.set(path, true);
    }
    return { posts: [...posts].sort(), files };
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
