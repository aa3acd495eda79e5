/**
 * The dev server's content: every post file and its last good version, updated one file at a
 * time. Unlike `loadSite` (all or nothing, immutable), a broken file here never stops the
 * others: its last good post keeps being served and its problems are kept beside it.
 */
import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { discoverPosts } from '../content/discover-posts.ts';
import { type ParsedPost, parsePost } from '../content/front-matter.ts';
import { rendererFingerprint } from '../content/render/fingerprint.ts';
import { cacheKey, createRenderCache } from '../content/render-cache.ts';
import { toPost } from '../content/post.ts';
import { createRenderer } from '../content/render-pool.ts';
import type { Post, RenderedBody } from '../content/types.ts';
import { clashes, type DevProblem, located } from './problems.ts';
import type { DevContent, FileChange } from './content-api.ts';
import { createDevRenderer, type Seed } from './dev-renderer.ts';

interface FileState {
  /** The last version that parsed and rendered, served while the file is broken. */
  good?: Post | undefined;
  /** Hash of the good version's body: a new file with the same body is a rename. */
  bodyHash?: string | undefined;
  problems: DevProblem[];
  /** The good version's source: saving the same bytes again changes nothing. */
  source?: string | undefined;
  /**
   * The good version's body source while its HTML came from the disk cache or a render child:
   * its code blocks are not in this process's highlighter memo until `seedHighlights` puts them.
   */
  seedBody?: string | undefined;
}

export function createDevContent(options: { postsDir: string; cacheDir: string }): DevContent {
  const files = new Map<string, FileState>();
  /** Old slug → the slug it became during this session (renames, slug edits). */
  const moved = new Map<string, string>();
  /** Body hash → slug of posts deleted in this session, to recognise a rename (delete + add). */
  const deleted = new Map<string, string>();
  const fingerprint = rendererFingerprint();
  const cache = createRenderCache(options.cacheDir);
  let sorted: Post[] | undefined;
  const devRenderer = createDevRenderer();

  /**
   * Renders a new version of `file` with the in-process renderer, counting the blocks Shiki had
   * to highlight. The first time, the blocks of the file's previous version go into the memo
   * first, so only the changed ones count (and cost).
   */
  const renderCounted = async (
    file: string,
    parsed: ParsedPost,
  ): Promise<{ body: RenderedBody; shikiCalls: number }> => {
    const state = files.get(file);
    let seed: Seed | undefined;
    if (state?.seedBody !== undefined && state.good) {
      seed = { body: state.seedBody, html: state.good.html };
      state.seedBody = undefined;
    }
    return devRenderer.render(parsed, seed);
  };
  /** `rendered` is absent when the source is the one applied already, or the file is gone. */
  type Prepared =
    { source?: string; rendered?: { body: RenderedBody; shikiCalls: number } } | undefined;
  const prepared = new Map<string, Promise<Prepared>>();

  /** Every file's last good post, for clash checks. */
  function* goodPosts(): Generator<[string, Post]> {
    for (const [file, state] of files) if (state.good) yield [file, state.good];
  }

  const hashBody = (body: string) => createHash('sha256').update(body).digest('base64url');

  /**
   * A rename is a delete and a create, and the watcher reports them in either order (Node's
   * recursive watcher gave the new name first here): when a new file has the body of a good
   * post whose file is gone, that post's delete is applied first, so the rename is recognised
   * (its old URL redirects) and its slug does not clash with itself.
   */
  const forgetRenamedFrom = async (file: string, bodyHash: string, change: FileChange) => {
    for (const [other, state] of files) {
      if (other === file || !state.good || state.bodyHash !== bodyHash) continue;
      const gone = await access(other).then(
        () => false,
        () => true,
      );
      if (!gone) continue;
      change.removed.push(state.good.slug);
      deleted.set(bodyHash, state.good.slug);
      files.delete(other);
      return;
    }
  };

  const api: DevContent = {
    async load() {
      const started = performance.now();
      const sources = await discoverPosts(options.postsDir);
      const valid: { file: string; source: string; parsed: ParsedPost; key: string }[] = [];
      for (const { file, source } of sources) {
        const result = parsePost(file, source);
        if (!result.ok) {
          files.set(file, { problems: located(source, result.problems) });
          continue;
        }
        const clash = clashes(file, result.post, goodPosts());
        if (clash.length > 0) {
          files.set(file, { problems: located(source, clash) });
          continue;
        }
        // Claim the slug now so a later file with the same slug is the one reported.
        files.set(file, { problems: [], good: toPost(file, result.post.frontMatter, undefined) });
        valid.push({ file, source, parsed: result.post, key: cacheKey(fingerprint, source) });
        devRenderer.addSample(result.post);
      }
      const bodies = await Promise.all(valid.map(({ key }) => cache.get(key)));
      const misses = valid.filter((_, index) => !bodies[index]);
      // A cold start fans out over render processes, as `loadSite` does.
      const renderer = createRenderer(misses.length);
      try {
        await Promise.all(
          valid.map(async (entry, index) => {
            let body = bodies[index];
            if (!body) {
              const { body: markdown, bodyLine } = entry.parsed;
              body = (await renderer.render({ file: entry.file, body: markdown, bodyLine })).body;
              await cache.set(entry.key, body);
            }
            files.set(entry.file, {
              problems: [],
              good: toPost(entry.file, entry.parsed.frontMatter, body),
              bodyHash: hashBody(entry.parsed.body),
              source: entry.source,
              seedBody: entry.parsed.body,
            });
          }),
        );
      } finally {
        await renderer.close();
      }
      sorted = undefined;
      return {
        posts: valid.length,
        rendered: misses.length,
        ms: Math.round(performance.now() - started),
      };
    },

    async warm() {
      const started = performance.now();
      const { languages } = await devRenderer.warm();
      return { languages, ms: Math.round(performance.now() - started) };
    },

    prepare(file) {
      const previous = prepared.get(file);
      const work = async (): Promise<Prepared> => {
        let source: string;
        try {
          source = await readFile(file, 'utf8');
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
          throw error;
        }
        // One save can fire the watcher twice: the second head start for the same bytes reuses
        // the first (and its Shiki count) instead of rendering again from a warm memo.
        const earlier = await previous;
        if (earlier?.source === source) return earlier;
        const state = files.get(file);
        if (state?.source === source && state.problems.length === 0) return { source };
        const result = parsePost(file, source);
        if (!result.ok) return undefined;
        return { source, rendered: await renderCounted(file, result.post) };
      };
      // A failure here is only a missed head start: `update` reads and reports for real.
      const job = work().catch(() => undefined);
      prepared.set(file, job);
      return job.then((result) => result !== undefined);
    },

    async update(file) {
      const ahead = prepared.get(file);
      prepared.delete(file);
      const state: FileState = files.get(file) ?? { problems: [] };
      const before = JSON.stringify(api.problems());
      const change: FileChange = {
        file,
        removed: [],
        rendered: false,
        problemsChanged: false,
        shikiCalls: 0,
      };
      const finish = () => {
        sorted = undefined;
        change.problemsChanged = JSON.stringify(api.problems()) !== before;
        return change;
      };

      let source: string;
      try {
        source = await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        if (state.good) {
          change.removed.push(state.good.slug);
          if (state.bodyHash) deleted.set(state.bodyHash, state.good.slug);
        }
        files.delete(file);
        return finish();
      }

      if (state.good && state.source === source && state.problems.length === 0) return finish();
      const result = parsePost(file, source);
      if (result.ok && !state.good)
        await forgetRenamedFrom(file, hashBody(result.post.body), change);
      const clash = result.ok ? clashes(file, result.post, goodPosts()) : [];
      if (!result.ok || clash.length > 0) {
        state.problems = located(source, result.ok ? clash : result.problems);
        files.set(file, state);
        return finish();
      }
      const parsed = result.post;
      const early = await ahead;
      const { body, shikiCalls } =
        early?.source === source && early.rendered
          ? early.rendered
          : await renderCounted(file, parsed);
      change.rendered = true;
      change.shikiCalls = shikiCalls;
      void cache.set(cacheKey(fingerprint, source), body); // a warm next start; failures only cost time

      const bodyHash = hashBody(parsed.body);
      const slug = parsed.frontMatter.slug;
      const oldSlug = state.good?.slug ?? (state.good ? undefined : deleted.get(bodyHash));
      if (oldSlug !== undefined && oldSlug !== slug) {
        moved.set(oldSlug, slug);
        if (state.good) change.removed.push(oldSlug);
      }
      moved.delete(slug); // a live page always wins over a redirect
      deleted.delete(bodyHash);
      files.set(file, {
        good: toPost(file, parsed.frontMatter, body),
        bodyHash,
        source,
        problems: [],
      });
      change.slug = slug;
      return finish();
    },

    files() {
      return [...files.keys()];
    },

    posts() {
      sorted ??= [...files.values()]
        .flatMap((state) => (state.good ? [state.good] : []))
        .sort((a, b) => b.date.getTime() - a.date.getTime() || a.slug.localeCompare(b.slug));
      return sorted;
    },

    post(slug) {
      return api.posts().find((post) => post.slug === slug);
    },

    problems() {
      return [...files.values()]
        .flatMap((state) => state.problems)
        .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
    },

    neverGood(slug) {
      for (const [file, state] of files) {
        if (!state.good && basename(file, '.md') === slug) return state.problems;
      }
      return undefined;
    },

    redirect(slug) {
      const aliases = new Map<string, string>();
      for (const post of api.posts())
        for (const alias of post.aliases) aliases.set(alias, post.slug);
      let current = slug;
      // Follow renames of renames (a → b → c), never looping.
      for (let hop = 0; hop < 10; hop++) {
        const next = moved.get(current) ?? aliases.get(current);
        if (next === undefined || next === current) break;
        current = next;
      }
      return current !== slug && api.posts().some((post) => post.slug === current)
        ? current
        : undefined;
    },
  };
  return api;
}
