/**
 * What the render pool (pool.ts) gives its child processes (child.ts) and gets
 * back. The messages themselves are tinypool's: it tags its own with `__tinypool_worker_message__`
 * and ignores anything else on the channel, both ways (issue #15: Node's watch mode reports each
 * loaded module over it).
 */
import type { ErrorData } from '../../error-text.ts';
import type { CardText } from '../cards/card-layout.ts';
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

/**
 * An image beside a post (issue #18): say what it is from its header (`metadata`), also decode it
 * whole (`check`), or also write its variants into `mediaDir` under `key` unless they are there
 * (`encode`). The child reads the file itself: no image bytes cross the IPC channel.
 */
export interface ImageJob {
  kind: 'image';
  file: string;
  key: string;
  mediaDir: string;
  mode: 'metadata' | 'check' | 'encode';
  /** The widths of the variants below the image's own (the site file's `images.widths`). */
  widths: readonly number[];
}

/** What an image is, as the site index keeps it. */
export interface ImageInfo {
  /** `jpeg`, `png`, `webp`, `avif`, `gif`, `svg`, or what sharp calls another format. */
  format: string;
  /** In CSS pixels, as browsers orient the image; absent when unknown. */
  width?: number | undefined;
  height?: number | undefined;
  /** Why the image is served as is, without variants (corrupt, unsupported). */
  problem?: string | undefined;
}

export interface ImageResult {
  image: ImageInfo;
  /** Widths of the variants in the cache now (none: served as is). */
  variants: number[];
  /** Set when the variants could not be written to the cache. */
  cacheError?: string | undefined;
  seconds: number;
}

export type ImageReply =
  { ok: true; result: ImageResult } | { ok: false; pid: number; error: ErrorData };

/**
 * A post's social card (issue #18), drawn on its first request (cards/card-store.ts): draw it and
 * write it into `mediaDir` under `key`.
 */
export interface CardJob {
  kind: 'card';
  /** The post's file, to name it when the card fails. */
  file: string;
  key: string;
  mediaDir: string;
  card: CardText;
}

export interface CardResult {
  png: Uint8Array;
  /** Set when the card could not be written to the cache: the caller keeps `png`. */
  cacheError?: string | undefined;
  seconds: number;
}

export type CardReply =
  { ok: true; result: CardResult } | { ok: false; pid: number; error: ErrorData };

/**
 * A post whose Markdown the renderer threw on (in a child or in this process): the post's own
 * problem, reported at its body's first line, not a failure of the render machinery (issue #20).
 */
export class PostRenderError extends Error {
  override name = 'PostRenderError';
  readonly job: Pick<RenderJob, 'file' | 'bodyLine'>;

  constructor(job: Pick<RenderJob, 'file' | 'bodyLine'>, where: string, cause: unknown) {
    super(`${where} could not render ${job.file}`, { cause });
    this.job = job;
  }

  /** What a writer reads: why the body could not be rendered. */
  get reason(): string {
    const cause = this.cause instanceof Error ? this.cause : new Error(String(this.cause));
    // By name: an error from a child is rebuilt from its data, not a RangeError instance.
    if (cause.name === 'RangeError' && /call stack/i.test(cause.message))
      return `could not be rendered: it is nested too deeply (${cause.message})`;
    return `could not be rendered: ${cause.name}: ${cause.message}`;
  }
}
