/**
 * Renders one post body. Runs in a worker thread of the render pool, or in the
 * main thread when only a few posts need rendering. Each thread has exactly
 * one Shiki highlighter, created on first use and reused for every post.
 */
import { createCodeHighlighter } from './render/highlighter.ts';
import { createMarkdownRenderer } from './render/markdown.ts';
import type { RenderedBody } from './types.ts';

export interface RenderJob {
  body: string;
  /** The 1-based file line where the body starts, so warnings name file lines. */
  bodyLine: number;
}

let renderer: ReturnType<typeof createMarkdownRenderer> | undefined;
let starting: Promise<ReturnType<typeof createMarkdownRenderer>> | undefined;

export default async function renderBody(job: RenderJob): Promise<RenderedBody> {
  starting ??= createCodeHighlighter().then(createMarkdownRenderer);
  renderer ??= await starting;
  return renderer.render(job.body, { bodyLine: job.bodyLine });
}
