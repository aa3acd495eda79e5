/**
 * Renders post bodies: in a child process of the render pool (child.ts), or in the main
 * process when only a few posts need rendering. Each process has exactly one Shiki highlighter,
 * created on first use (or by `startRenderer`) and reused for every post.
 */
import { createCodeHighlighter } from '../highlight/highlighter.ts';
import { createMarkdownRenderer, type MarkdownRenderer } from '../markdown/markdown.ts';
import type { Rendered, RenderJob } from './protocol.ts';

let renderer: Promise<MarkdownRenderer> | undefined;

/** Creates the highlighter now rather than on the first post; a failure surfaces there. */
export function startRenderer(): Promise<MarkdownRenderer> {
  renderer ??= createCodeHighlighter().then(createMarkdownRenderer);
  return renderer;
}

export default async function renderBody(
  job: Pick<RenderJob, 'body' | 'bodyLine'>,
): Promise<Rendered> {
  const markdown = await startRenderer();
  const started = performance.now();
  const body = await markdown.render(job.body, { bodyLine: job.bodyLine });
  return { body, seconds: (performance.now() - started) / 1000 };
}
