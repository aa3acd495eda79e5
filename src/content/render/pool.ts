/**
 * Spreads a cold render over every core: Shiki is CPU-bound and synchronous, so on an empty
 * cache the posts are rendered in one child process per core, by a tinypool pool (issue #17).
 *
 * Child processes, not worker threads: a child gives all of its memory back when it exits, so
 * a server that rendered its posts holds nothing of Shiki afterwards; with threads the memory of
 * their heaps stayed with the server process (measured on #17, same CPU time either way).
 *
 * What this adds to tinypool: the children's environment (`childProcessEnv`, issue #15), and
 * failures that name the child, the post and the child's own error. Foreign messages on the
 * children's IPC channel never reach us: tinypool tags its own and drops the rest.
 */
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Tinypool from 'tinypool';
import { childProcessEnv } from '../../config.ts';
import { errorFromData } from '../../error-text.ts';
import {
  type CardJob,
  type CardReply,
  type CardResult,
  type ChildReply,
  type ImageJob,
  type ImageReply,
  type ImageResult,
  PostRenderError,
  type Rendered,
  type RenderJob,
} from './protocol.ts';

export type { CardJob, CardResult, ImageJob, ImageResult, Rendered, RenderJob };

type Job = RenderJob | ImageJob | CardJob;
type Reply = ChildReply | ImageReply | CardReply;

export interface Renderer {
  render(job: RenderJob): Promise<Rendered>;
  /** An image beside a post (issue #18): what it is, and its variants in the render cache. */
  image(job: ImageJob): Promise<ImageResult>;
  close(): Promise<void>;
}

/** Draws the posts' social cards on request (issue #18, cards/card-store.ts). */
export interface CardRenderer {
  card(job: CardJob): Promise<CardResult>;
}

/**
 * Each child pays for starting Node and loading marked and Shiki, and for compiling the grammars
 * it meets, so a handful of posts is rendered in this process and only bigger sets fan out.
 */
const POSTS_PER_CHILD = 25;

/**
 * Encoding one image's variants is worth a child to itself: `renderWork` counts an image as
 * that many posts.
 */
export const POSTS_PER_IMAGE = POSTS_PER_CHILD;

/** The work of rendering `bodies` posts and encoding `images` images, for `createRenderer`. */
export const renderWork = (bodies: number, images: number) => bodies + images * POSTS_PER_IMAGE;

/**
 * A card child that has drawn nothing for this long exits: a serving process keeps no satori or
 * resvg in memory once its cards are in the cache.
 */
const CARD_CHILD_IDLE_MS = 30_000;
/**
 * Not the parent's execArgv: its --watch or --inspect must not apply to the children (issue #15).
 * A smaller young generation than V8 picks on a big machine: less memory, the same CPU time.
 */
const CHILD_EXEC_ARGV = ['--max-semi-space-size=16'];

/** How many child processes `createRenderer(jobCount)` renders in; 0: in this process. */
export function renderProcessCount(jobCount: number): number {
  const children = Math.min(availableParallelism(), Math.floor(jobCount / POSTS_PER_CHILD));
  return children < 2 ? 0 : children;
}

export function createRenderer(jobCount: number): Renderer {
  const children = renderProcessCount(jobCount);
  return children === 0 ? inProcessRenderer() : poolRenderer(children);
}

/**
 * Renders in this process. The renderer (marked, Shiki, sanitize-html: ~100 ms of module
 * loading) is imported only now, so a warm start that renders nothing never loads it.
 */
export function inProcessRenderer(): Renderer {
  let render: Promise<(job: RenderJob) => Promise<Rendered>> | undefined;
  let image: Promise<(job: ImageJob) => Promise<ImageResult>> | undefined;
  return {
    async render(job) {
      render ??= import('./render-body.ts').then((module) => module.default);
      const renderBody = await render;
      try {
        return await renderBody(job);
      } catch (error) {
        throw new PostRenderError(job, 'this process', error);
      }
    },
    async image(job) {
      image ??= import('../media/image-job.ts').then((module) => module.default);
      const processImage = await image;
      try {
        return await processImage(job);
      } catch (error) {
        throw new Error(`could not process ${job.file}`, { cause: error });
      }
    },
    close: async () => {},
  };
}

/** A task module's file: .ts sources in development, compiled .js in the image. */
const taskFile = (relative: string) =>
  fileURLToPath(new URL(`${relative}${extname(import.meta.url)}`, import.meta.url));

function poolRenderer(count: number): Renderer {
  // All started now, before the posts are validated, so they load Shiki meanwhile.
  const { run, close } = childPool({
    filename: taskFile('./child'),
    minThreads: count,
    maxThreads: count,
  });
  return {
    render: async (job) =>
      (
        await run<ChildReply>(
          job,
          ['render', 'rendering'],
          (pid, cause) => new PostRenderError(job, `render child ${pid}`, cause),
        )
      ).rendered,
    image: async (job) => (await run<ImageReply>(job, ['process', 'processing'])).result,
    close,
  };
}

/**
 * One child process that draws social cards (cards/card-job.ts), started by the first card and
 * gone when idle: off the serving process's event loop, and without Shiki, which a card needs not.
 */
export function cardRenderer(): CardRenderer {
  const { run } = childPool({
    filename: taskFile('../cards/card-job'),
    minThreads: 0,
    maxThreads: 1,
    idleTimeout: CARD_CHILD_IDLE_MS,
  });
  return {
    card: async (job) =>
      (await run<CardReply>(job, ['make the social card of', 'making the social card of'])).result,
  };
}

function childPool(options: {
  filename: string;
  minThreads: number;
  maxThreads: number;
  idleTimeout?: number;
}) {
  const pool = new Tinypool({
    ...options,
    runtime: 'child_process',
    execArgv: CHILD_EXEC_ARGV,
    env: childProcessEnv(),
    // The V8 serializer, not JSON: a cold start moves megabytes of rendered HTML back.
    serialization: 'advanced',
  });

  // tinypool's error for a child that died says only that; the child's 'exit' says which and how.
  // tinypool rejects the dead child's one task during that same 'exit' event, so the rejection
  // handled next is that task's: it takes the description.
  let lastExit: string | undefined;
  const watched = new WeakSet<object>();
  const watchExits = () => {
    for (const child of pool.threads) {
      if (watched.has(child)) continue;
      watched.add(child);
      const pid = child.threadId;
      child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
        lastExit = `render child ${pid} ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`;
      });
    }
  };
  watchExits();
  let failure: Error | undefined;
  let closing = false;
  // A child that dies with no post is reported here (unhandled, it would crash this process):
  // later renders fail with it, as the ones a dying child had do.
  pool.on('error', (error: unknown) => {
    if (!closing) failure ??= new Error(lastExit ?? 'a render child failed', { cause: error });
    lastExit = undefined;
  });

  /**
   * Runs `job` in a child; a failure names the child and the file. A job the child answered with
   * an error becomes `refused(pid, cause)`, by default "render child <pid> could not <verb> <file>";
   * for a body, the post's own problem (issue #20).
   */
  const run = async <R extends Reply>(
    job: Job,
    [verb, doing]: [string, string],
    refused = (pid: number, cause: Error): Error =>
      new Error(`render child ${pid} could not ${verb} ${job.file}`, { cause }),
  ): Promise<Exclude<R, { ok: false }>> => {
    if (failure) throw failure;
    watchExits(); // tinypool replaces a dead child
    let reply: R;
    try {
      const running = pool.run(job);
      watchExits(); // the child this run started, if it had to start one
      reply = (await running) as R;
    } catch (error) {
      const died = lastExit;
      lastExit = undefined;
      throw new Error(
        died
          ? `${died} while ${doing} ${job.file}`
          : `a render child could not ${verb} ${job.file}`,
        { cause: error },
      );
    }
    if (!reply.ok) throw refused(reply.pid, errorFromData(reply.error));
    return reply as Exclude<R, { ok: false }>;
  };

  return {
    run,
    close: async () => {
      closing = true;
      await pool.destroy();
    },
  };
}
