/**
 * The one loader of posts (issue #17) and standalone pages (issue #18), used by `npm start`,
 * `npm run render`, `npm run check` and the dev server: posts and pages directories + render cache
 * → the site's posts and pages and every problem in them.
 *
 * A full load reads the site index (cache/site-index.ts), stats every file, and reads, validates
 * and renders only the files whose size, modification time and content hash changed (and those
 * the index lacks); a body already in the cache is reused. An incremental update does the same
 * for one path (a file or a folder of them). Both run the same per-file validation and the same
 * cross-file rules (slug-clashes.ts, unknown-authors.ts), so an update gives what a full load of
 * the same files gives. Posts and pages are two collections of the same machinery: a page is
 * validated by its own schema and has its own names (`/about/`), which the site's may not take.
 *
 * Each file keeps its last version that had no problem (`good`): the dev server serves it while the
 * file is broken. Production stops on any problem instead (`strict`): before rendering, and after
 * it for a file whose Markdown the renderer throws on (issue #20).
 */
import { join, resolve } from 'node:path';
import { type BodyStore, createBodyStore } from '../cache/body-store.ts';
import { type IndexEntry, readSiteIndex, writeSiteIndex } from '../cache/site-index.ts';
import type { MediaEntry, StoredFrontMatter, ThemeEntry } from '../cache/site-index.ts';
import { DEFAULT_IMAGE_MAX_MB } from '../../config.ts';
import { resolveFile } from '../markdown/file-references.ts';
import { discoverPages, discoverPosts } from '../source/discover-posts.ts';
import { DEFAULT_WIDTHS } from '../media/variants.ts';
import { MediaFiles } from './media-files.ts';
import { mediaVersion } from './post.ts';
import { createRenderer, type Renderer } from '../render/pool.ts';
import { ContentError, type ContentProblem, type Page, type Post } from '../types.ts';
import type { PageFrontMatter, Site } from '../types.ts';
import { type Collection, models, modelOf, settleAll, sortStates, within } from './collection.ts';
import { type FileState, readFileState, readStamp } from './file-state.ts';
import { type UpdateTarget, updateAt } from './incremental-update.ts';
import type { LoadReport, PostChange, UpdateReport } from './load-report.ts';
import { checkFiles, type DefaultCover, defaultCoverProblems } from './post-files.ts';
import { renderPending } from './render-pending.ts';
import { checkClashes } from './slug-clashes.ts';
import { siteModel } from './site-model.ts';
import { PAGES, POSTS, type SourceFields } from './source-kinds.ts';
import { checkAuthors } from './unknown-authors.ts';

export interface SiteLoaderOptions {
  postsDir: string;
  /** Standalone pages (issue #18); a folder that does not exist holds none. */
  pagesDir?: string | undefined;
  /** Names a page may not take: the first path segments the site itself answers at. */
  reservedSlugs?: readonly string[] | undefined;
  /** The site file's author keys, which front matter `authors` name; unset: not checked. */
  authors?: readonly string[] | undefined;
  cacheDir: string;
  /** `false` for `npm run check`: validate only; render nothing, write nothing. */
  render?: boolean;
  /** Stop on the first problems, with every problem (production); else keep going (dev). */
  strict?: boolean;
  /** The renderer for so much work (`renderWork`). Default: the render pool (here for a little). */
  renderer?: (work: number) => Renderer;
  /**
   * Config `IMAGE_MAX_MB` (or the site file's `images.maxMegabytes`): a larger image beside a post
   * is served as is (issue #18).
   */
  imageMaxMb?: number;
  /** The site file's `images.widths`: the widths of images' variants; default `DEFAULT_WIDTHS`. */
  imageWidths?: readonly number[] | undefined;
  /**
   * The posts without a cover get a social card (issue #18) with the site's title (config
   * `SITE_TITLE`) in the colours of the theme's `stylesheet`; none when undefined. Pages get none.
   */
  cards?: { siteTitle: string; stylesheet: string } | undefined;
  /**
   * The site file's `defaultCover` (issue #18): the cover of posts without one, its `src`
   * relative to the posts folder. Every post then has a cover, so none gets a social card.
   */
  defaultCover?: DefaultCover | undefined;
}

const READS_IN_FLIGHT = 16;

export class SiteLoader {
  readonly postsDir: string;
  readonly store: BodyStore;
  readonly #options: SiteLoaderOptions;
  readonly #posts: Collection<StoredFrontMatter, Post>;
  /** Without a pages folder: empty, and no path is in it. */
  readonly #pages: Collection<PageFrontMatter, Page>;
  readonly #reserved: ReadonlySet<string>;
  #authors: readonly string[] | undefined;
  /** The files beside the posts (issue #18). */
  readonly #media: MediaFiles;
  /** Whether the index on disk lags behind the states. */
  #dirty = false;
  #cacheError: string | undefined;
  /** The theme's colours for the social cards, or why there are none (issue #18). */
  #theme: ThemeEntry | undefined;
  #themeProblem: ContentProblem | undefined;

  constructor(options: SiteLoaderOptions) {
    // With a default cover every post has a cover, which is its picture: no post gets a card.
    this.#options = options.defaultCover ? { ...options, cards: undefined } : options;
    this.postsDir = options.postsDir;
    this.store = createBodyStore(options.cacheDir);
    this.#posts = { kind: POSTS, name: 'post', dir: options.postsDir, states: new Map() };
    this.#pages = { kind: PAGES, name: 'page', dir: options.pagesDir ?? '', states: new Map() };
    this.#reserved = new Set(options.reservedSlugs);
    this.#authors = options.authors;
    this.#media = new MediaFiles({
      postsDir: options.postsDir,
      cacheDir: options.cacheDir,
      maxImageBytes: (options.imageMaxMb ?? DEFAULT_IMAGE_MAX_MB) * 2 ** 20,
      widths: options.imageWidths ?? DEFAULT_WIDTHS,
      defaultCover: defaultCoverFile(options.defaultCover),
    });
  }

  /** Reads every post and page (from the index where it can) and renders what the cache lacks. */
  async load(): Promise<LoadReport> {
    const started = performance.now();
    const index = await readSiteIndex(this.#options.cacheDir, this.#options);
    await this.#readTheme(index.theme);
    const { posts: postPaths, files } = await discoverPosts(this.postsDir);
    this.#media.paths.clear();
    for (const file of files) this.#media.paths.add(file);
    await this.#readAll(this.#posts, postPaths, index.entries);
    const pagePaths =
      this.#options.pagesDir === undefined ? [] : await discoverPages(this.#options.pagesDir);
    await this.#readAll(this.#pages, pagePaths, index.pages);
    this.#check();
    this.#stopOnProblems();
    const validated = this.#allStates().filter((state) => state.parsed).length;
    const knownMedia = new Map(index.media.map((entry) => [entry.path, entry]));
    const { rendered, images, renderSeconds } = await this.#renderPending({ known: knownMedia });
    this.#stopOnProblems(); // a post whose Markdown could not be rendered
    // Files read, or whose image job ran, are new entries: the index must say so.
    const media = this.#media.entries();
    this.#dirty ||=
      index.media.length !== media.length ||
      media.some((entry) => entry !== knownMedia.get(entry.path));
    if (this.#options.render !== false) {
      this.flush();
      const keys = this.#allStates().flatMap((state) => (state.good ? [state.good.bodyKey] : []));
      if (this.#cacheError === undefined)
        await Promise.all([this.store.prune(new Set(keys)), this.#media.prune()]);
    }
    const goods = this.#allStates().filter((state) => state.good);
    return {
      posts: this.#posts.states.size,
      pages: this.#pages.states.size,
      published: [...this.#posts.states.values()].filter(
        (state) => state.good && !state.good.frontMatter.draft,
      ).length,
      rendered,
      images,
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
   * Takes the index as it is, without looking at the files: for a cluster worker, whose primary
   * has just loaded (and so checked) them and written it. False when there is no usable index.
   */
  async open(): Promise<boolean> {
    const index = await readSiteIndex(this.#options.cacheDir, this.#options);
    if (index.warning !== undefined || index.entries.length === 0) return false;
    settleAll(this.#posts, index.entries);
    settleAll(this.#pages, index.pages);
    this.#media.open(index.media);
    // The primary has just checked the stylesheet: its colours are taken as they are.
    await this.#readTheme(index.theme, true);
    this.#media.showCards(index.entries);
    return true;
  }

  /**
   * Applies what happened at `path` (a post or page file, a file beside the posts, or a folder of
   * them moved in, out or deleted): re-reads the files there, validates them against the others,
   * renders what changed. The index is written by `flush`.
   */
  async update(path: string): Promise<UpdateReport> {
    const before = JSON.stringify(this.problems());
    const inPages = this.#options.pagesDir !== undefined && within(this.#pages.dir, path);
    const target: UpdateTarget = {
      media: this.#media,
      check: () => this.#check(),
      render: (changed) => this.#renderPending({ changed }),
    };
    const changes = inPages
      ? await updateAt(this.#pages, path, target)
      : await updateAt(this.#posts, path, target);
    this.#dirty = true;
    return { changes, problemsChanged: JSON.stringify(this.problems()) !== before };
  }

  /**
   * The site file's authors changed (the dev server reloaded it): checks every post's `authors`
   * again, and renders the versions that named an author only now defined. Resolves whether the
   * problems changed.
   */
  async setAuthors(authors: readonly string[] | undefined): Promise<boolean> {
    const before = JSON.stringify(this.problems());
    this.#authors = authors;
    this.#check();
    if ((await this.#renderPending({})).rendered > 0) this.#dirty = true;
    return JSON.stringify(this.problems()) !== before;
  }

  /** Writes the index if anything changed since it was read. */
  flush(): void {
    if (!this.#dirty || this.#options.render === false) return;
    const goods = <F extends SourceFields>(states: Map<string, FileState<F>>) =>
      [...states.values()].flatMap((state) => (state.good ? [state.good] : []));
    const error = writeSiteIndex(
      this.#options.cacheDir,
      this.#options,
      goods(this.#posts.states),
      goods(this.#pages.states),
      this.#media.entries(),
      this.#theme,
    );
    if (error === undefined) this.#dirty = false;
    this.#cacheError ??= error;
  }

  /** Every problem, sorted by file and line. */
  problems(): ContentProblem[] {
    return [
      ...defaultCoverProblems(this.#options.defaultCover, this.#media.paths),
      ...this.#allStates().flatMap((state) => state.problems),
    ].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  }

  /** Rendering warnings of the good posts and pages, and the posts' images' problems. */
  warnings(): ContentProblem[] {
    const rendering = this.#allStates().flatMap((state) =>
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
    const warning = (file: string, line: number, path: string): ContentProblem[] => {
      const problem = manifest.file(path)?.problem;
      const message = `image ${join(this.postsDir, path)} ${problem ?? ''}`;
      return problem === undefined ? [] : [{ file, line, message }];
    };
    // The site file's default cover, at its line there (issue #18).
    const cover = this.#options.defaultCover;
    const coverPath = manifest.defaultCover?.path;
    const coverWarnings =
      cover && coverPath !== undefined ? warning(cover.file, cover.line, coverPath) : [];
    const postWarnings = [...this.#posts.states.values()].flatMap((state) => {
      const version = state.current ?? state.good;
      return (version?.files ?? []).flatMap(({ target, line, image }) => {
        const path = image ? resolveFile(version?.path ?? '', target) : undefined;
        return path === undefined ? [] : warning(state.file, line, path);
      });
    });
    return [...coverWarnings, ...postWarnings];
  }

  /** The good post of every file, in path order. */
  posts(): Post[] {
    return models(this.#posts, this.#media.manifest());
  }

  /** The good page of every page file, in path order. */
  pages(): Page[] {
    return models(this.#pages, this.#media.manifest());
  }

  /** Every post and page file with its problems and good version. */
  files(): {
    file: string;
    kind: PostChange['kind'];
    problems: readonly ContentProblem[];
    post: Post | Page | undefined;
  }[] {
    return [this.#posts, this.#pages].flatMap((collection: Collection<SourceFields, unknown>) =>
      [...collection.states.values()].map((state) => ({
        file: state.file,
        kind: collection.name,
        problems: state.problems,
        post: modelOf(collection, state, this.#media.manifest()) as Post | Page | undefined,
      })),
    );
  }

  /** The slug and aliases of each post's current (else good) version, rendered or not. */
  claims(): { file: string; slug: string; aliases: readonly string[] }[] {
    return [...this.#posts.states.values()].flatMap((state) => {
      const fm = (state.current ?? state.good)?.frontMatter;
      return fm ? [{ file: state.file, slug: fm.slug, aliases: fm.aliases }] : [];
    });
  }

  /**
   * The links of each post and page to posts, with their lines, broken ones too (`npm run check`).
   */
  links(): { file: string; slug: string; line: number }[] {
    return this.#allStates().flatMap((state) =>
      (state.current?.links ?? state.links ?? []).map((link) => ({ file: state.file, ...link })),
    );
  }

  /**
   * The immutable site model a reader is served, from the good posts and pages. It holds them and
   * the body store, not this loader: a serving process that never updates keeps no file states.
   */
  site(meta: { title: string; url: string }): Site {
    return siteModel(meta, {
      posts: this.posts(),
      pages: this.pages(),
      store: this.store,
      postsDir: this.postsDir,
      renderer: this.#options.renderer ?? createRenderer,
      manifest: this.#media.manifest(),
    });
  }

  /** Reads the files at `paths` of a collection, trusting `entries` where they still agree. */
  async #readAll<F extends SourceFields, M>(
    collection: Collection<F, M>,
    paths: readonly string[],
    entries: readonly IndexEntry<F>[],
  ): Promise<void> {
    const known = new Map(entries.map((entry) => [entry.path, entry]));
    const { states, dir, kind } = collection;
    states.clear();
    let next = 0;
    const read = async () => {
      while (next < paths.length) {
        const path = paths[next++] as string;
        const state = await readFileState(dir, path, kind, { known: known.get(path) });
        if (state) states.set(path, state);
      }
    };
    await Promise.all(Array.from({ length: READS_IN_FLIGHT }, read));
    sortStates(states);
    this.#dirty ||=
      entries.length !== states.size ||
      [...states.values()].some((state) => state.good !== known.get(state.path));
  }

  /**
   * The rules across files: clashing names, reserved names of pages, unknown authors, the files
   * posts name (issue #18).
   */
  #check(): void {
    checkClashes(this.#posts.states.values());
    checkClashes(this.#pages.states.values(), this.#reserved);
    checkAuthors(this.#posts.states.values(), this.#authors);
    checkFiles(this.#posts.states.values(), this.#media.paths);
  }

  #allStates(): FileState<SourceFields>[] {
    return [...this.#posts.states.values(), ...this.#pages.states.values()];
  }

  /**
   * Renders what is pending, and runs the image jobs of the files the posts show (`known`: the
   * index's entries; `changed`: files that changed on disk). Posts whose files changed become new
   * posts, so their pages are dropped.
   */
  async #renderPending(media: {
    known?: ReadonlyMap<string, MediaEntry>;
    changed?: ReadonlySet<string>;
  }): Promise<{ rendered: number; images: number; renderSeconds: number[] }> {
    const render = this.#options.render !== false;
    const versions = [...this.#posts.states.values()].flatMap((state) =>
      [state.current, state.good].filter((version) => version !== undefined),
    );
    const images = await this.#media.sync(versions, { ...media, encode: render });
    const result = await renderPending(this.#allStates(), {
      store: this.store,
      renderer: this.#options.renderer ?? createRenderer,
      strict: this.#options.strict ?? false,
      bodies: render,
      images,
      onImage: (path, image) => this.#media.settle(path, image),
    });
    this.#cacheError ??= result.cacheError;
    const manifest = this.#media.manifest();
    for (const state of this.#posts.states.values()) {
      const post = state.model as Post | undefined;
      if (post && state.good && post.mediaVersion !== mediaVersion(state.good, manifest))
        state.model = undefined;
    }
    return result;
  }

  /**
   * The theme's colours for the posts' social cards, if they get them; else a warning says why.
   * Taken from the index (`known`) while the stylesheet's size and modification time agree (or
   * `trusted`): postcss parses it only when it changed.
   */
  async #readTheme(known: ThemeEntry | undefined, trusted = false): Promise<void> {
    const cards = this.#options.cards;
    this.#themeProblem = undefined;
    this.#theme = undefined;
    if (!cards) return this.#media.useCards(undefined);
    const { stylesheet, siteTitle } = cards;
    // Resolved: the image renders with relative folders and runs with absolute ones (docker/).
    const same = known !== undefined && resolve(known.stylesheet) === resolve(stylesheet);
    const before = same ? known : undefined;
    let theme = trusted ? before : undefined;
    if (!theme) {
      const file = await readStamp(stylesheet, before?.source).catch(
        (error: NodeJS.ErrnoException) => error.code ?? error.message,
      );
      if (typeof file !== 'object') {
        const message = `cannot read the theme's colours: ${file ?? 'ENOENT'}`;
        this.#themeProblem = { file: stylesheet, line: 1, message };
        return this.#media.useCards(undefined);
      }
      if (file.stamp.hash === before?.source.hash) {
        theme = file.stamp === before.source ? before : { ...before, source: file.stamp };
      } else {
        const { themeColours } = await import('../cards/theme-colours.ts');
        const read = themeColours(stylesheet, file.bytes?.toString('utf8') ?? '');
        theme = { stylesheet, source: file.stamp, read };
      }
    }
    this.#dirty ||= theme !== known;
    this.#theme = theme;
    const { read } = theme;
    if ('problem' in read) this.#themeProblem = read.problem;
    this.#media.useCards('colours' in read ? { siteTitle, colours: read.colours } : undefined);
  }

  /** Production stops on any problem, with every one of them. */
  #stopOnProblems(): void {
    if (!this.#options.strict) return;
    const problems = this.problems();
    if (problems.length > 0) throw new ContentError(problems);
  }
}

/** The default cover as the media files know it: its path, if it is a file reference at all. */
function defaultCoverFile(cover: DefaultCover | undefined) {
  const path = cover && resolveFile('', cover.src);
  return path === undefined || !cover ? undefined : { path, alt: cover.alt };
}
