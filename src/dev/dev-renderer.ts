/**
 * The dev server's in-process renderer: one Shiki highlighter whose memo makes re-rendering an
 * edited post cheap (issue #4: only its changed code blocks are highlighted again). It counts
 * the blocks Shiki had to highlight, seeds the memo from a post's cached render before its first
 * edit, and warms the grammars of the languages the posts use.
 */
import type { ParsedPost } from '../content/front-matter.ts';
import type { CodeHighlighter } from '../content/render/highlighter.ts';
import type { RenderedBody } from '../content/types.ts';
import { seedHighlights } from './seed-highlights.ts';

/** A fence's language, found without lexing (a miss only leaves a grammar cold). */
const FENCE = /^[ \t]*(?:`{3,}|~{3,})[ \t]*([^\s`]+)/gm;

/**
 * Shiki's JavaScript engine compiles each grammar rule's regex on first use, so one post per
 * language leaves rules other posts hit: a few more made the first edits of the bench faster.
 */
const WARM_POSTS_PER_LANGUAGE = 4;

/** A post's previous version whose HTML came from the disk cache or a render child. */
export interface Seed {
  body: string;
  html: string;
}

export interface DevRenderer {
  /** Remembers a loaded post as a warm-up sample for the languages of its code blocks. */
  addSample(parsed: ParsedPost): void;
  /** Starts Shiki and renders the samples, so the first edits do not compile grammars. */
  warm(): Promise<{ languages: number }>;
  /** Renders a post; `seed`'s blocks go into the memo first, so only changed ones count. */
  render(parsed: ParsedPost, seed?: Seed): Promise<{ body: RenderedBody; shikiCalls: number }>;
}

export function createDevRenderer(): DevRenderer {
  let renderBody: ((job: { body: string; bodyLine: number }) => Promise<RenderedBody>) | undefined;
  let highlighter: CodeHighlighter | undefined;
  const samples = new Map<string, ParsedPost[]>();

  const start = async () => {
    if (!renderBody || !highlighter) {
      const [worker, highlighterModule] = await Promise.all([
        import('../content/render-worker.ts'),
        import('../content/render/highlighter.ts'),
      ]);
      highlighter = await highlighterModule.createCodeHighlighter();
      renderBody = async (job) => (await worker.default(job)).body;
    }
    return { renderBody, highlighter };
  };

  return {
    addSample(parsed) {
      for (const [, lang] of parsed.body.matchAll(FENCE)) {
        if (!lang) continue;
        const some = samples.get(lang) ?? [];
        if (some.length < WARM_POSTS_PER_LANGUAGE) some.push(parsed);
        samples.set(lang, some);
      }
    },

    async warm() {
      const { renderBody, highlighter } = await start();
      for (const parsed of new Set([...samples.values()].flat())) {
        const body = await renderBody(parsed);
        // The first edit's seeding (its lexer, its regexes) compiled here rather than then;
        // the blocks are in the memo already, so this changes nothing else.
        seedHighlights(highlighter, parsed.body, body.html);
      }
      const languages = samples.size;
      samples.clear();
      return { languages };
    },

    async render(parsed, seed) {
      const { renderBody, highlighter } = await start();
      if (seed) seedHighlights(highlighter, seed.body, seed.html);
      // Exact while renders do not overlap (changes are queued; a prepare can overlap one).
      const calls = highlighter.stats.shikiCalls;
      const body = await renderBody(parsed);
      return { body, shikiCalls: highlighter.stats.shikiCalls - calls };
    },
  };
}
