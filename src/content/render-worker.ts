/**
 * Renders post bodies. Runs in a child process of the render pool (see render-pool.ts), or in
 * the main process when only a few posts need rendering. Each process has exactly one Shiki
 * highlighter, created on first use and reused for every post.
 */
import { createCodeHighlighter } from './render/highlighter.ts';
import { createMarkdownRenderer } from './render/markdown.ts';
import type { BatchReply, BatchRequest } from './render-pool.ts';
import type { RenderedBody } from './types.ts';

export interface RenderJob {
  /** The post's file, for messages about a failed render. */
  file: string;
  body: string;
  /** The 1-based file line where the body starts, so warnings name file lines. */
  bodyLine: number;
}

let renderer: ReturnType<typeof createMarkdownRenderer> | undefined;
let starting: Promise<ReturnType<typeof createMarkdownRenderer>> | undefined;

/** A rendered body and the time its rendering took (for the render duration metric). */
export interface Rendered {
  body: RenderedBody;
  seconds: number;
}

export default async function renderBody(job: RenderJob): Promise<Rendered> {
  starting ??= createCodeHighlighter().then(createMarkdownRenderer);
  renderer ??= await starting;
  const started = performance.now();
  const body = await renderer.render(job.body, { bodyLine: job.bodyLine });
  return { body, seconds: (performance.now() - started) / 1000 };
}

// Started by the render pool: render each batch it sends, in order, and reply with the results.
// The pool sends the next batch before this one is done: batches are chained, never interleaved,
// so replies keep the order of requests. The process exits by itself when the pool disconnects.
if (import.meta.main && process.send) {
  // The pool starts this process before it has validated the posts: create the highlighter
  // meanwhile rather than on the first batch. A failure surfaces there, in its reply.
  starting = createCodeHighlighter().then(createMarkdownRenderer);
  starting.catch(() => {});
  const send = process.send.bind(process);
  const renderBatch = async ({ jobs }: BatchRequest) => {
    let reply: BatchReply;
    try {
      const results: Rendered[] = [];
      for (const job of jobs) results.push(await renderBody(job));
      reply = { ok: true, results };
    } catch (error) {
      reply = {
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      };
    }
    send(reply);
  };
  let previous = Promise.resolve();
  process.on('message', (request: BatchRequest) => {
    previous = previous.then(() => renderBatch(request));
  });
}
