/**
 * The dev server's in-process renderer: one Shiki highlighter whose memo makes re-rendering an
 * edited post cheap (issue #4: only its changed code blocks are highlighted again). It counts
 * the blocks Shiki highlighted, seeds the memo with a post's previous version before its first
 * edit, warms the grammars the posts use, and renders a save as soon as it is seen (`prepare`):
 * the loader's render of the same bytes then takes that result. Saved images and the social
 * cards of edited posts (issue #18) are made in this process too.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  inProcessRenderer,
  type RenderJob,
  type Rendered,
  type Renderer,
} from '../content/render/pool.ts';
import type { CodeHighlighter } from '../content/highlight/highlighter.ts';
import { seedHighlights } from './seed-highlights.ts';

/** A fence's language. */
const FENCE = /^[ \t]*(?:`{3,}|~{3,})[ \t]*([^\s`]+)/gm;

/**
 * Shiki's JavaScript engine compiles each grammar rule's regex on first use, so one post per
 * language leaves rules other posts hit: a few warm the rules the first edits meet.
 */
const WARM_POSTS_PER_LANGUAGE = 4;

/** A post's previous version: its body source, and the HTML that was rendered from it. */
export interface Seed {
  body: string;
  html: () => Promise<string | undefined>;
}

export interface DevRenderer extends Renderer {
  /** Remembers a post's current version, to seed the memo before its first re-render. */
  remember(file: string, seed: Seed): void;
  /** Starts Shiki and renders a few posts of each language, so first edits compile nothing. */
  warm(): Promise<{ languages: number }>;
  /** Renders `job` now; `render` of the same file and body returns this result. */
  prepare(job: RenderJob): Promise<void>;
  /** Blocks Shiki highlighted for the last render of `file`. */
  shikiCalls(file: string): number;
}

export function createDevRenderer(): DevRenderer {
  let started:
    | Promise<{ renderBody: (job: RenderJob) => Promise<Rendered>; highlighter: CodeHighlighter }>
    | undefined;
  const seeds = new Map<string, Seed>();
  const prepared = new Map<string, { body: string; result: Promise<Rendered> }>();
  const calls = new Map<string, number>();
  // Images beside the posts and social cards (issue #18) are made here too, one save at a time.
  const files = inProcessRenderer();

  const start = () =>
    (started ??= (async () => {
      const [worker, highlighterModule] = await Promise.all([
        import('../content/render/render-body.ts'),
        import('../content/highlight/highlighter.ts'),
      ]);
      const highlighter = await highlighterModule.createCodeHighlighter();
      return { renderBody: worker.default, highlighter };
    })());

  /** Renders with the memo seeded from the file's previous version, counting Shiki's blocks. */
  const renderCounted = async (job: RenderJob): Promise<Rendered> => {
    const { renderBody, highlighter } = await start();
    const seed = seeds.get(job.file);
    if (seed) {
      seeds.delete(job.file);
      const html = await seed.html();
      if (html !== undefined) seedHighlights(highlighter, seed.body, html);
    }
    // Exact while renders do not overlap (changes are queued; a prepare can overlap one).
    const before = highlighter.stats.shikiCalls;
    const rendered = await renderBody(job);
    calls.set(job.file, highlighter.stats.shikiCalls - before);
    return rendered;
  };

  return {
    remember(file, seed) {
      seeds.set(file, seed);
    },

    async warm() {
      const { renderBody, highlighter } = await start();
      const samples = new Map<string, { file: string; body: string; html: Seed['html'] }[]>();
      for (const [file, seed] of seeds) {
        for (const [, lang] of seed.body.matchAll(FENCE)) {
          const some = samples.get(lang as string) ?? [];
          if (some.length < WARM_POSTS_PER_LANGUAGE && !some.some((s) => s.file === file))
            some.push({ file, ...seed });
          samples.set(lang as string, some);
        }
      }
      const done = new Set<string>();
      for (const sample of [...samples.values()].flat()) {
        if (done.has(sample.file)) continue;
        done.add(sample.file);
        // A turn of the event loop between posts: the warm-up is CPU-bound, and a SIGTERM or a
        // request must not wait for all of it (more sample posts, more to warm).
        await nextTurn();
        const { body } = await renderBody({ file: sample.file, body: sample.body, bodyLine: 1 });
        // The first edit's seeding (its lexer, its regexes) compiled here rather than then; the
        // blocks are in the memo already, so this changes nothing else.
        seedHighlights(highlighter, sample.body, body.html);
      }
      return { languages: samples.size };
    },

    async prepare(job) {
      const result = renderCounted(job);
      prepared.set(job.file, { body: job.body, result });
      await result.catch(() => {}); // only a head start: `render` reports for real
    },

    async render(job) {
      const early = prepared.get(job.file);
      prepared.delete(job.file);
      if (early?.body === job.body) {
        const result = await early.result.catch(() => undefined);
        if (result) return result;
      }
      return renderCounted(job);
    },

    image: (job) => files.image(job),
    card: (job) => files.card(job),

    async close() {},

    shikiCalls: (file) => calls.get(file) ?? 0,
  };
}
