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

export interface Renderer {
  render(job: RenderJob): Promise<Rendered>;
  /** An image beside a post (issue #18): what it is, and its variants in the render cache. */
  image(job: ImageJob): Promise<ImageResult>;
  /** A post's social card (issue #18), into the render cache. */
  card(job: CardJob): Promise<CardResult>;
  close(): Promise<void>;
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

/**
 * The work of rendering `bodies` posts, encoding `images` images and drawing `cards` social cards,
 * for `createRenderer`. A card counts as a post.
 */
export const renderWork = (bodies: number, images: number, cards = 0) =>
  bodies + images * POSTS_PER_IMAGE + cards;
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
  let card: Promise<(job: CardJob) => Promise<CardResult>> | undefined;
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
    async card(job) {
      card ??= import('../cards/card-job.ts').then((module) => module.default);
      const makeCard = await card;
      try {
        return await makeCard(job);
      } catch (error) {
        throw new Error(`could not make the social card of ${job.file}`, { cause: error });
      }
    },
    close: async () => {},
  };
}

function poolRenderer(count: number): Renderer {
  const pool = new Tinypool({
    // The child runs from .ts sources in development and from compiled .js in the image.
    filename: fileURLToPath(new URL(`./child${extname(import.meta.url)}`, import.meta.url)),
    runtime: 'child_process',
    // All started now, before the posts are validated, so they load Shiki meanwhile.
    minThreads: count,
    maxThreads: count,
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
   * an error becomes `refused(pid, cause)`: for a body, the post's own problem (issue #20).
   */
  const run = async <Reply extends ChildReply | ImageReply | CardReply>(
    job: RenderJob | ImageJob | CardJob,
    [verb, doing]: [string, string],
    refused: (pid: number, cause: Error) => Error,
  ): Promise<Exclude<Reply, { ok: false }>> => {
    if (failure) throw failure;
    watchExits(); // tinypool replaces a dead child
    let reply: Reply;
    try {
      reply = (await pool.run(job)) as Reply;
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
    return reply as Exclude<Reply, { ok: false }>;
  };

  return {
    render: async (job) =>
      (
        await run<ChildReply>(
          job,
          ['render', 'rendering'],
          (pid, cause) => new PostRenderError(job, `render child ${pid}`, cause),
        )
      ).rendered,
    image: async (job) =>
      (
        await run<ImageReply>(
          job,
          ['process', 'processing'],
          (pid, cause) => new Error(`render child ${pid} could not process ${job.file}`, { cause }),
        )
      ).result,
    card: async (job) =>
      (
        await run<CardReply>(
          job,
          ['make the social card of', 'making the social card of'],
          (pid, cause) =>
            new Error(`render child ${pid} could not make the social card of ${job.file}`, {
              cause,
            }),
        )
      ).result,
    async close() {
      closing = true;
      await pool.destroy();
    },
  };
}
