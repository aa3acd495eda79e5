/**
 * The render stage of a load: the current version of every problem-free file not rendered yet is
 * taken from the body cache, else rendered (in the render pool when there are many) and cached.
 */
import type { BodyStore } from '../cache/body-store.ts';
import type { IndexEntry } from '../cache/site-index.ts';
import type { Renderer, RenderJob } from '../render/pool.ts';
import { PostRenderError } from '../render/protocol.ts';
import type { RenderedBody } from '../types.ts';
import type { FileState } from './file-state.ts';
import { needsFirstParagraph, type SourceFields } from './source-kinds.ts';

export interface RenderPendingOptions {
  store: BodyStore;
  renderer: (jobs: number) => Renderer;
  /** A failed render stops the load (production); else it is that file's problem (dev). */
  strict: boolean;
}

export async function renderPending(
  states: Iterable<FileState<SourceFields>>,
  { store, renderer: createRenderer, strict }: RenderPendingOptions,
): Promise<{ rendered: number; renderSeconds: number[]; cacheError: string | undefined }> {
  const renderSeconds: number[] = [];
  let cacheError: string | undefined;
  const misses: FileState<SourceFields>[] = [];
  for (const state of states) {
    if (!state.job || !state.current || state.problems.length > 0) continue;
    const cached = await store.read(state.current.bodyKey);
    if (cached) settle(state, cached);
    else misses.push(state);
  }
  if (misses.length === 0) return { rendered: 0, renderSeconds, cacheError };
  const renderer = createRenderer(misses.length);
  try {
    const results = await Promise.allSettled(
      misses.map(async (state) => {
        const { body, seconds } = await renderer.render(state.job as RenderJob);
        renderSeconds.push(seconds);
        cacheError ??= store.write((state.current as IndexEntry<SourceFields>).bodyKey, body);
        settle(state, body);
      }),
    );
    for (const [i, result] of results.entries()) {
      if (result.status === 'fulfilled') continue;
      const state = misses[i] as FileState<SourceFields>;
      const error: unknown = result.reason;
      // The file's own Markdown: its problem, like a front matter one. The render machinery
      // failing (a child killed) stops a production load.
      if (error instanceof PostRenderError) {
        state.problems.push({ file: state.file, line: error.job.bodyLine, message: error.reason });
        continue;
      }
      if (strict) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      state.problems.push({ file: state.file, line: 1, message: `could not render: ${reason}` });
    }
  } finally {
    await renderer.close();
  }
  return { rendered: misses.length, renderSeconds, cacheError };
}

/** The rendered version is the file's good one now. */
function settle(state: FileState<SourceFields>, body: RenderedBody): void {
  const current = state.current as IndexEntry<SourceFields>;
  state.good = {
    ...current,
    // Kept only where the site model reads it (a post's summary, a page's description, when front
    // matter has none): every start reads the index.
    firstParagraph: needsFirstParagraph(current.frontMatter) ? body.firstParagraph : '',
    wordCount: body.wordCount,
    warnings: body.warnings,
  };
  state.current = state.good;
  state.job = undefined;
  state.model = undefined;
}
