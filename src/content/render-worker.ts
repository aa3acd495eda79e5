/**
 * Renders post bodies. Runs in a child process of the render pool (see render-pool.ts), or in
 * the main process when only a few posts need rendering. Each process has exactly one Shiki
 * highlighter, created on first use and reused for every post.
 */
import { createCodeHighlighter } from './render/highlighter.ts';
import { createMarkdownRenderer } from './render/markdown.ts';
import { errorData } from '../error-text.ts';
import {
  type BatchRequest,
  isBatchRequest,
  JOB_FAILED,
  JOB_RENDERED,
  type JobReply,
  type Rendered,
  type RenderJob,
} from './render-protocol.ts';

export type { Rendered, RenderJob };

let renderer: ReturnType<typeof createMarkdownRenderer> | undefined;
let starting: Promise<ReturnType<typeof createMarkdownRenderer>> | undefined;

export default async function renderBody(
  job: Pick<RenderJob, 'body' | 'bodyLine'>,
): Promise<Rendered> {
  starting ??= createCodeHighlighter().then(createMarkdownRenderer);
  renderer ??= await starting;
  const started = performance.now();
  const body = await renderer.render(job.body, { bodyLine: job.bodyLine });
  return { body, seconds: (performance.now() - started) / 1000 };
}

// Started by the render pool: render each batch it sends, in order, and reply per job as each is
// done. The pool sends the next batch before this one is done: batches are chained, never
// interleaved, so replies keep the order of requests. The process exits by itself when the pool
// disconnects. Messages that are not the pool's requests are ignored.
if (import.meta.main && process.send) {
  // The pool starts this process before it has validated the posts: create the highlighter
  // meanwhile rather than on the first batch. A failure surfaces there, in its reply.
  starting = createCodeHighlighter().then(createMarkdownRenderer);
  starting.catch(() => {});
  const send = process.send.bind(process);
  let failed = false;
  const renderBatch = async ({ jobs }: BatchRequest) => {
    for (const job of jobs) {
      if (failed) return; // the pool stops at the first failure
      let reply: JobReply;
      try {
        reply = { type: JOB_RENDERED, result: await renderBody(job) };
      } catch (error) {
        failed = true;
        reply = { type: JOB_FAILED, error: errorData(error) };
      }
      send(reply);
    }
  };
  let previous = Promise.resolve();
  process.on('message', (message: unknown) => {
    if (isBatchRequest(message)) previous = previous.then(() => renderBatch(message));
  });
}
