/**
 * What the render pool (render-pool.ts) and its child processes (render-worker.ts) say to each
 * other. Parent -> child: render these jobs. Child -> parent: one reply per job, in order, as
 * each is done, so the parent knows which post a child was rendering when it failed. Every
 * message carries a `type` of Quire's own: other messages arrive on the same channel (issue #15:
 * Node's watch mode reports each loaded module over it) and are never taken for one of these.
 */
import type { ErrorData } from '../error-text.ts';
import type { RenderedBody } from './types.ts';

export interface RenderJob {
  /** The post's file, to name it when its rendering fails. */
  file: string;
  body: string;
  /** The 1-based file line where the body starts, so warnings name file lines. */
  bodyLine: number;
}

/** A rendered body and the time its rendering took (for the render duration metric). */
export interface Rendered {
  body: RenderedBody;
  seconds: number;
}

export const BATCH_REQUEST = 'quire:render-batch';
export const JOB_RENDERED = 'quire:rendered';
export const JOB_FAILED = 'quire:render-failed';

export interface BatchRequest {
  type: typeof BATCH_REQUEST;
  jobs: RenderJob[];
}

export type JobReply =
  { type: typeof JOB_RENDERED; result: Rendered } | { type: typeof JOB_FAILED; error: ErrorData };

export const isBatchRequest = (message: unknown): message is BatchRequest =>
  (message as Partial<BatchRequest> | null)?.type === BATCH_REQUEST;

export const isJobReply = (message: unknown): message is JobReply => {
  const type = (message as Partial<JobReply> | null)?.type;
  return type === JOB_RENDERED || type === JOB_FAILED;
};
