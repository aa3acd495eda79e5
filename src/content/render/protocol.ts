/**
 * What the render pool (pool.ts) gives its child processes (child.ts) and gets
 * back. The messages themselves are tinypool's: it tags its own with `__tinypool_worker_message__`
 * and ignores anything else on the channel, both ways (issue #15: Node's watch mode reports each
 * loaded module over it).
 */
import type { ErrorData } from '../../error-text.ts';
import type { RenderedBody } from '../types.ts';

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

/**
 * A child's answer to one job. A failure is an answer, not a thrown error: tinypool would pass
 * a thrown error on as a plain object without its cause, and the child's pid would be lost.
 */
export type ChildReply =
  { ok: true; rendered: Rendered } | { ok: false; pid: number; error: ErrorData };
