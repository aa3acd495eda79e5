/**
 * The dev server's content: the site loader in its forgiving mode, where a broken file never
 * stops the others (its last good version is served, its problems shown beside it), plus what
 * only a writing session has: redirects of posts renamed during the session, the problems with
 * their source lines for the banner, and the in-process renderer that makes an edit cheap.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parsePost } from '../content/source/front-matter.ts';
import { createRenderer } from '../content/render/pool.ts';
import { type PostChange, SiteLoader, type UpdateReport } from '../content/site/site-loader.ts';
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
  /** Applies what happened at a path (a post, or a folder of posts). */
  update(path: string): Promise<DevChange>;
  site(): Site;
  problems(): DevProblem[];
  /** Every post file known now, good or broken. */
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

export function createDevContent(options: {
  postsDir: string;
  cacheDir: string;
  title: string;
  url: string;
}): DevContent {
  const renderer = createDevRenderer();
  // A cold start of many posts fans out over render processes; edits render here.
  const loader = new SiteLoader({
    postsDir: options.postsDir,
    cacheDir: options.cacheDir,
    renderer: (jobs) => (jobs > 1 ? createRenderer(jobs) : renderer),
  });
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

  /** Every problem, with the source line it points at. */
  const locate = async () => {
    const lines = new Map<string, string[]>();
    for (const { file } of loader.problems()) {
      const text = lines.has(file) ? undefined : await readFile(file, 'utf8').catch(() => '');
      if (text !== undefined) lines.set(file, text.split(/\r?\n/));
    }
    const source = ({ file, line }: ContentProblem) => lines.get(file)?.[line - 1] ?? '';
    problems = loader.problems().map((problem) => ({ ...problem, source: source(problem) }));
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

  const track = ({ before, after }: PostChange) => {
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
      const parsed = parsePost(file, source);
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
      if (gone) return { changes: [], problemsChanged: folderChanged, rendered: [] };
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

    site() {
      site ??= loader.site({ title: options.title, url: options.url });
      return site;
    },

    problems: () => (folderGone ? [folderGone, ...problems] : problems),

    // The posts directory too: its problem, once it is back, is "fixed", not "deleted".
    files: () => [options.postsDir, ...loader.files().map(({ file }) => file)],

    neverGood(slug) {
      for (const { file, post, problems: own } of loader.files())
        if (!post && own.length > 0 && basename(file, '.md') === slug)
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
