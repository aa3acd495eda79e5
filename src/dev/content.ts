/**
 * The dev server's content: the site loader in its forgiving mode, where a broken file never
 * stops the others (its last good version is served, its problems shown beside it), plus what
 * only a writing session has: redirects of posts renamed during the session, the problems with
 * their source lines for the banner (the site file's among them), and the in-process renderer
 * that makes an edit cheap.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { defaultSlug } from '../content/markdown/post-file-links.ts';
import { parsePage, parsePost } from '../content/source/front-matter.ts';
import { createRenderer, renderProcessCount } from '../content/render/pool.ts';
import type { PostChange, UpdateReport } from '../content/site/load-report.ts';
import { SiteLoader, type SiteLoaderOptions } from '../content/site/site-loader.ts';
import type { ContentProblem, Post, Site } from '../content/types.ts';
import { createDevRenderer } from './dev-renderer.ts';

/** A problem with the source line it points at, so the writer sees what is wrong where. */
export interface DevProblem extends ContentProblem {
  source: string;
}

export interface DevContent {
  load(): Promise<{ posts: number; rendered: number; ms: number }>;
  /** Starts Shiki and compiles the grammars the posts use, so the first edits do not. */
  warm(): Promise<{ languages: number; ms: number }>;
  /** Reads and renders a save as soon as it is seen; resolves true if it is complete. */
  prepare(file: string): Promise<boolean>;
  /** Applies what happened at a path (a post or page, or a folder of them). */
  update(path: string): Promise<DevChange>;
  /**
   * The site file was read again: its problems now, and its authors when it has none (the posts'
   * `authors` are checked against them). Resolves whether the problems changed.
   */
  siteFile(problems: readonly ContentProblem[], authors?: readonly string[]): Promise<boolean>;
  site(): Site;
  problems(): DevProblem[];
  /** Every post and page file known now, good or broken, the site file and the posts directory. */
  files(): string[];
  /** Problems of a file that was never good, by the slug its file name gives it. */
  neverGood(slug: string): DevProblem[] | undefined;
  /** Where an old slug or an alias now lives, if not itself. */
  redirect(slug: string): string | undefined;
}

export interface DevChange extends UpdateReport {
  /** Posts whose body went through the renderer, with the blocks Shiki highlighted. */
  rendered: { file: string; shikiCalls: number }[];
}

export function createDevContent(
  options: SiteLoaderOptions & {
    title: string;
    url: string;
    siteFile: string;
    /** The site file's problems at the start. */
    siteFileProblems: readonly ContentProblem[];
  },
): DevContent {
  const renderer = createDevRenderer();
  // A cold start of many posts fans out over render processes; edits render here.
  const loader = new SiteLoader({
    ...options,
    strict: false,
    renderer: (work) => (renderProcessCount(work) > 0 ? createRenderer(work) : renderer),
  });
  const { pagesDir } = options;
  /** Whether `file` is `dir` or under it. */
  const isUnder = (dir: string | undefined, file: string) => {
    const rel = dir === undefined ? '..' : relative(dir, file);
    return !rel.startsWith('..') && !isAbsolute(rel);
  };
  const isPage = (file: string) => isUnder(pagesDir, file);
  let siteFileProblems = options.siteFileProblems;
  /** Old slug → the slug it became during this session (renames, slug edits). */
  const moved = new Map<string, string>();
  /** Body key → slug of posts deleted in this session, to recognise a rename (delete + add). */
  const deleted = new Map<string, string>();
  let problems: DevProblem[] = [];
  let site: Site | undefined;
  /**
   * Set while the posts directory itself is gone (renamed away, deleted, a checkout under way):
   * its files' deletions are not applied, so the posts are served as they were, and the banner
   * says why nothing changes (issue #20). Cleared when it is back.
   */
  let folderGone: DevProblem | undefined;

  /** Every problem, images served as they are included, with the source line it points at. */
  const locate = async () => {
    const all = [...siteFileProblems, ...loader.problems(), ...loader.imageWarnings()];
    const lines = new Map<string, string[]>();
    for (const { file } of all) {
      const text = lines.has(file) ? undefined : await readFile(file, 'utf8').catch(() => '');
      if (text !== undefined) lines.set(file, text.split(/\r?\n/));
    }
    const source = ({ file, line }: ContentProblem) => lines.get(file)?.[line - 1] ?? '';
    problems = all.map((problem) => ({ ...problem, source: source(problem) }));
  };

  /** Remembers each good post's source, so its first re-render reuses its code blocks. */
  const remember = async (post: Post) => {
    const source = await readFile(post.file, 'utf8').catch(() => undefined);
    const parsed = source === undefined ? undefined : parsePost(post.file, source);
    if (!parsed?.ok) return;
    renderer.remember(post.file, {
      body: parsed.post.body,
      html: async () => (await loader.store.read(post.bodyKey))?.html,
    });
  };

  const track = (change: PostChange) => {
    if (change.kind !== 'post') return;
    const { before, after } = change;
    if (before && !after) {
      // A rename is a delete and a create, seen in either order: the create may be in already.
      const renamed = loader.posts().find((post) => post.bodyKey === before.bodyKey);
      if (renamed && renamed.slug !== before.slug) moved.set(before.slug, renamed.slug);
      else deleted.set(before.bodyKey, before.slug);
    }
    const old = before?.slug ?? (after ? deleted.get(after.bodyKey) : undefined);
    if (after && old !== undefined && old !== after.slug) moved.set(old, after.slug);
    if (after) {
      moved.delete(after.slug); // a live page always wins over a redirect
      deleted.delete(after.bodyKey);
    }
  };

  return {
    async load() {
      const report = await loader.load();
      await locate();
      site = undefined;
      return { posts: report.posts, rendered: report.rendered, ms: report.ms };
    },

    async warm() {
      const started = performance.now();
      for (const post of loader.posts()) await remember(post);
      const { languages } = await renderer.warm();
      return { languages, ms: Math.round(performance.now() - started) };
    },

    async prepare(file) {
      const source = await readFile(file, 'utf8').catch(() => undefined);
      if (source === undefined) return true; // gone: the update applies that at once
      const parsed = (isPage(file) ? parsePage : parsePost)(file, source);
      if (!parsed.ok) return false; // a save caught half-written, or really broken
      await renderer.prepare({ file, body: parsed.post.body, bodyLine: parsed.post.bodyLine });
      return true;
    },

    async update(path) {
      const gone = !(await stat(options.postsDir).then(
        (found) => found.isDirectory(),
        () => false,
      ));
      const folderChanged = gone !== (folderGone !== undefined);
      folderGone = gone
        ? {
            file: options.postsDir,
            line: 1,
            message:
              'the posts directory is gone (renamed or deleted): the posts are served as they were until it is back',
            source: '',
          }
        : undefined;
      // Only what happens under the posts directory waits for it: pages and the site file do not.
      if (gone && isUnder(options.postsDir, path))
        return { changes: [], problemsChanged: folderChanged, rendered: [] };
      const report = await loader.update(path);
      for (const change of report.changes) track(change);
      // The banner shows each problem's source line: a file broken the same way again may
      // still show another line.
      const before = JSON.stringify(problems);
      await locate();
      const problemsChanged = folderChanged || JSON.stringify(problems) !== before;
      site = undefined;
      const rendered = report.changes
        .filter((change) => change.after && change.after.bodyKey !== change.before?.bodyKey)
        .map((change) => ({ file: change.file, shikiCalls: renderer.shikiCalls(change.file) }));
      // Written off the edit's path: the next start then finds these posts in the index.
      setImmediate(() => loader.flush());
      return { changes: report.changes, problemsChanged, rendered };
    },

    async siteFile(now, authors) {
      const before = JSON.stringify(problems);
      siteFileProblems = now;
      if (authors !== undefined) await loader.setAuthors(authors);
      await locate();
      site = undefined; // a post that named an author only now defined is served now
      return JSON.stringify(problems) !== before;
    },

    site() {
      site ??= loader.site({ title: options.title, url: options.url });
      return site;
    },

    problems: () => (folderGone ? [folderGone, ...problems] : problems),

    // The posts directory too: its problem, once it is back, is "fixed", not "deleted".
    files: () => [options.siteFile, options.postsDir, ...loader.files().map(({ file }) => file)],

    neverGood(slug) {
      for (const { file, post, problems: own } of loader.files())
        if (!post && own.length > 0 && defaultSlug(file) === slug)
          return problems.filter((problem) => problem.file === file);
      return undefined;
    },

    redirect(slug) {
      const posts = loader.posts();
      const aliases = new Map<string, string>();
      for (const post of posts) for (const alias of post.aliases) aliases.set(alias, post.slug);
      let current = slug;
      // Follow renames of renames (a → b → c), never looping.
      for (let hop = 0; hop < 10; hop++) {
        const next = moved.get(current) ?? aliases.get(current);
        if (next === undefined || next === current) break;
        current = next;
      }
      return current !== slug && posts.some((post) => post.slug === current) ? current : undefined;
    },
  };
}
