/**
 * The render stage of a load: the current version of every problem-free file not rendered yet is
 * taken from the body cache, else rendered (in the render pool when there are many) and cached;
 * the image jobs of the files beside the posts and the posts' social cards (issue #18) run in the
 * same pool.
 */
import type { BodyStore } from '../cache/body-store.ts';
import type { IndexEntry } from '../cache/site-index.ts';
import {
  type CardJob,
  type CardResult,
  type ImageJob,
  type ImageResult,
  type Renderer,
  type RenderJob,
  renderWork,
} from '../render/pool.ts';
import { PostRenderError } from '../render/protocol.ts';
import type { RenderedBody } from '../types.ts';
import type { FileState } from './file-state.ts';
import { needsFirstParagraph, type SourceFields } from './source-kinds.ts';

export interface RenderPendingOptions {
  store: BodyStore;
  renderer: (work: number) => Renderer;
  /** A failed render stops the load (production); else it is that file's problem (dev). */
  strict: boolean;
  /** `false` (`npm run check`): bodies are not rendered; images are still checked. */
  bodies: boolean;
  /** The image jobs to run, by path relative to the posts folder, and where their results go. */
  images: ReadonlyMap<string, ImageJob>;
  onImage: (path: string, result: ImageResult) => void;
  /** The social cards to make, by key, and where their results go. */
  cards: ReadonlyMap<string, CardJob>;
  onCard: (key: string, result: CardResult) => void;
}

export async function renderPending(
  states: Iterable<FileState<SourceFields>>,
  options: RenderPendingOptions,
): Promise<{
  rendered: number;
  images: number;
  cards: number;
  renderSeconds: number[];
  cacheError: string | undefined;
}> {
  const { store, renderer: createRenderer, strict, bodies, images, onImage } = options;
  const { cards, onCard } = options;
  const renderSeconds: number[] = [];
  let cacheError: string | undefined;
  const misses: FileState<SourceFields>[] = [];
  for (const state of bodies ? states : []) {
    if (!state.job || !state.current || state.problems.length > 0) continue;
    const cached = await store.read(state.current.bodyKey);
    if (cached) settle(state, cached);
    else misses.push(state);
  }
  if (misses.length === 0 && images.size === 0 && cards.size === 0)
    return { rendered: 0, images: 0, cards: 0, renderSeconds, cacheError };
  const encodes = [...images.values()].filter((job) => job.mode === 'encode').length;
  const renderer = createRenderer(renderWork(misses.length, encodes, cards.size));
  try {
    const [posts, files, drawn] = await Promise.all([
      Promise.allSettled(
        misses.map(async (state) => {
          const { body, seconds } = await renderer.render(state.job as RenderJob);
          renderSeconds.push(seconds);
          cacheError ??= store.write((state.current as IndexEntry<SourceFields>).bodyKey, body);
          settle(state, body);
        }),
      ),
      Promise.allSettled(
        [...images].map(async ([path, job]) => {
          const result = await renderer.image(job);
          cacheError ??= result.cacheError;
          onImage(path, result);
        }),
      ),
      Promise.allSettled(
        [...cards].map(async ([key, job]) => {
          const result = await renderer.card(job);
          cacheError ??= result.cacheError;
          onCard(key, result);
        }),
      ),
    ]);
    const reason = (result: PromiseRejectedResult) =>
      result.reason instanceof Error ? result.reason.message : String(result.reason);
    for (const [i, result] of posts.entries()) {
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
      state.problems.push({
        file: state.file,
        line: 1,
        message: `could not render: ${reason(result)}`,
      });
    }
    for (const [i, [path]] of [...images].entries()) {
      const result = files[i];
      if (result?.status !== 'rejected') continue;
      if (strict) throw result.reason;
      const problem = `could not be processed (${reason(result)}): it is served as is`;
      onImage(path, { image: { format: 'unknown', problem }, variants: [], seconds: 0 });
    }
    // A post without its card is shown without a picture in link previews: not worth stopping
    // a development server for; production stops, as for any failed job.
    const failed = drawn.find((result) => result.status === 'rejected');
    if (strict && failed) throw failed.reason;
  } finally {
    await renderer.close();
  }
  return {
    rendered: misses.length,
    images: images.size,
    cards: cards.size,
    renderSeconds,
    cacheError,
  };
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
