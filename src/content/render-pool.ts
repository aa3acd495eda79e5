/**
 * Spreads a cold render over every core: Shiki is CPU-bound and synchronous, so on an empty
 * cache one child process per core renders posts in parallel.
 *
 * Processes, not worker threads. Measured on 1000 bench posts, 2 cores (cold `loadSite`):
 * - 2 worker threads (piscina): 8–11 s wall, 15.5–17.5 CPU-s, peak RSS 930–1040 MB;
 * - 1 thread, in process: 8–11 s wall, 10.3–12 CPU-s, 560–690 MB;
 * - 2 independent processes of 1000 posts each, side by side: 10.8–11.2 CPU-s each.
 * So it is threads, not the machine, that cost ~40% more CPU: every isolate of a process shares
 * its address space (page faults and V8's heap growth serialize in the kernel: sys time 3.2–3.9 s
 * vs ~1.9 s) and V8's one platform pool of GC helper threads (scavenges took 26–32 ms in the
 * workers vs 13–16 ms alone). A child process also gives all of its memory back when it exits,
 * so the server holds nothing of Shiki after loading.
 *
 * Posts go out in small batches as children ask for them (a busy child never holds up the
 * others), and each batch prefers posts whose code languages that child has already compiled.
 * Each child holds a second batch while it renders one, so it never waits on a round trip (nor
 * on this process, busy with the results of the other child); replies come back in order.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childProcessEnv } from '../config.ts';
import { errorFromData } from '../error-text.ts';
import {
  BATCH_REQUEST,
  type BatchRequest,
  isJobReply,
  JOB_FAILED,
  type Rendered,
  type RenderJob,
} from './render-protocol.ts';

export type { Rendered, RenderJob };

export interface Renderer {
  render(job: RenderJob): Promise<Rendered>;
  close(): Promise<void>;
}

/**
 * Each child pays for starting Node and loading marked and Shiki (~0.3 s) and compiling the
 * grammars it meets (~1.2 s for a dozen languages), so a handful of posts is rendered in this
 * process and only bigger batches fan out.
 */
const POSTS_PER_CHILD = 25;

/** Posts per message: few round trips, yet the last batches still even out between children. */
const BATCH = 8;

/**
 * Batches sent to a child and not answered yet: with one, a child sat idle from its reply until
 * the next batch came (1.4–1.5 s of ~25 s each, 63 batches, 1000 posts on a loaded machine).
 */
const IN_FLIGHT = 2;

/**
 * Not the parent's execArgv: its --watch or --inspect must not apply to the children (nor what
 * its environment holds for it alone: `childProcessEnv`, issue #15). A smaller
 * young generation than V8 picks on a big machine: peak RSS 295–345 MB per child instead of
 * 400–455 MB, same CPU time (1000 posts, 2 children, 2 runs each).
 */
const CHILD_EXEC_ARGV = ['--max-semi-space-size=16'];

/** How many child processes `createRenderer(jobCount)` renders in; 0: in this process. */
export function renderProcessCount(jobCount: number): number {
  const children = Math.min(availableParallelism(), Math.floor(jobCount / POSTS_PER_CHILD));
  return children < 2 ? 0 : children;
}

export function createRenderer(jobCount: number): Renderer {
  const children = renderProcessCount(jobCount);
  return children === 0 ? inProcessRenderer() : processRenderer(children);
}

/**
 * Renders in this process. The renderer (marked, Shiki, sanitize-html: ~100 ms of module
 * loading) is imported only now, so a warm start that renders nothing never loads it.
 */
function inProcessRenderer(): Renderer {
  let render: Promise<(job: RenderJob) => Promise<Rendered>> | undefined;
  return {
    async render(job) {
      render ??= import('./render-worker.ts').then((module) => module.default);
      const renderBody = await render;
      try {
        return await renderBody(job);
      } catch (error) {
        throw new Error(`could not render ${job.file}`, { cause: error });
      }
    },
    close: async () => {},
  };
}

interface Pending {
  job: RenderJob;
  /** Its fence languages as a bit set (see `LanguageBits`). */
  languages: number[];
  resolve(result: Rendered): void;
  reject(error: Error): void;
}

interface Child {
  process: ChildProcess;
  /** Code languages of every post sent to it, the grammars it has compiled, as a bit set. */
  languages: number[];
  /** Batches sent and not fully answered yet, oldest first; each loses its jobs as they are. */
  batches: Pending[][];
}

/** Which posts a failed child had: the one it was rendering first, then those queued in it. */
function unfinished(child: Child): string {
  const [first, ...others] = child.batches.flat().map((pending) => pending.job.file);
  if (first === undefined) return 'before it was sent a post';
  if (others.length === 0) return `while rendering ${first}`;
  return `while rendering ${first} (also sent to it, not rendered yet: ${others.join(', ')})`;
}

/** The fence languages of a body, for scheduling only (a miss costs time, not correctness). */
const FENCE = /^[ \t]*(?:`{3,}|~{3,})[ \t]*([^\s`]+)/gm;

/**
 * Language sets as bit sets (32 languages a word), numbered as they are met: choosing a batch
 * compares each queued post with the child's languages, and with a `Set` and `reduce` that was
 * 0.33 s of the main process's CPU in a cold start of 1000 posts (~240,000 comparisons).
 */
function languageBits() {
  const numbers = new Map<string, number>();
  return (body: string): number[] => {
    const bits: number[] = [];
    for (const match of body.matchAll(FENCE)) {
      const language = match[1] as string;
      let n = numbers.get(language);
      if (n === undefined) numbers.set(language, (n = numbers.size));
      const word = n >>> 5;
      while (bits.length <= word) bits.push(0);
      bits[word] = (bits[word] as number) | (1 << (n & 31));
    }
    return bits;
  };
}

/** How many of `post`'s languages `known` lacks. */
function unknownCount(post: readonly number[], known: readonly number[]): number {
  let count = 0;
  for (let word = 0; word < post.length; word++) {
    let missing = (post[word] as number) & ~(known[word] ?? 0);
    while (missing !== 0) {
      missing &= missing - 1;
      count++;
    }
  }
  return count;
}

function addBits(known: number[], post: readonly number[]): void {
  for (let word = 0; word < post.length; word++)
    known[word] = (known[word] ?? 0) | (post[word] as number);
}

function processRenderer(count: number): Renderer {
  // The child runs from .ts sources in development and from compiled .js in the image.
  const entry = fileURLToPath(
    new URL(`./render-worker${extname(import.meta.url)}`, import.meta.url),
  );
  const queue: Pending[] = [];
  const children: Child[] = [];
  const languagesOf = languageBits();
  let failure: Error | undefined;

  const fail = (error: Error) => {
    failure ??= error;
    for (const pending of queue.splice(0)) pending.reject(failure);
    for (const child of children) {
      for (const pending of child.batches.flat()) pending.reject(failure);
      child.batches = [];
      child.process.kill();
    }
  };

  /** The next batch for this child: posts needing the fewest grammars it has not compiled yet. */
  const take = (child: Child): Pending[] => {
    const batch: Pending[] = [];
    while (batch.length < BATCH && queue.length > 0) {
      let best = 0;
      let bestCost = unknownCount((queue[0] as Pending).languages, child.languages);
      for (let i = 1; i < queue.length && bestCost > 0; i++) {
        const cost = unknownCount((queue[i] as Pending).languages, child.languages);
        if (cost < bestCost) [best, bestCost] = [i, cost];
      }
      const [pending] = queue.splice(best, 1) as [Pending];
      addBits(child.languages, pending.languages);
      batch.push(pending);
    }
    return batch;
  };

  const dispatch = () => {
    for (const child of children) {
      while (child.batches.length < IN_FLIGHT && queue.length > 0 && !failure) {
        const batch = take(child);
        child.batches.push(batch);
        child.process.send({
          type: BATCH_REQUEST,
          jobs: batch.map((pending) => pending.job),
        } satisfies BatchRequest);
      }
    }
  };

  for (let i = 0; i < count; i++) {
    const proc = fork(entry, [], {
      execArgv: CHILD_EXEC_ARGV,
      env: childProcessEnv(),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // The V8 serializer, not JSON: a cold start of 1000 posts moves ~26 MB of rendered HTML
      // back. Receiving it took half the CPU in this process (1000 bodies in batches of 8:
      // 110–160 ms vs 243–276 ms), and the children's sending less too.
      serialization: 'advanced',
    });
    const child: Child = { process: proc, languages: [], batches: [] };
    children.push(child);
    const name = `render child ${proc.pid ?? '(not started)'}`;
    proc.on('message', (message: unknown) => {
      if (!isJobReply(message) || failure) return;
      const batch = child.batches[0];
      const pending = batch?.shift();
      if (!batch || !pending) {
        fail(new Error(`${name} sent a reply for no post it was given`));
        return;
      }
      if (message.type === JOB_FAILED) {
        const cause = errorFromData(message.error);
        fail(new Error(`${name} could not render ${pending.job.file}`, { cause }));
        return;
      }
      pending.resolve(message.result);
      if (batch.length === 0) {
        child.batches.shift();
        dispatch();
      }
    });
    proc.on('error', (error) => {
      fail(new Error(`${name} failed ${unfinished(child)}`, { cause: error }));
    });
    proc.on('exit', (code, signal) => {
      if (child.batches.length > 0 || queue.length > 0) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        fail(new Error(`${name} ${how} ${unfinished(child)}`));
      }
    });
  }

  return {
    render(job) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        queue.push({ job, languages: languagesOf(job.body), resolve, reject });
        // Wait for the caller's other jobs of this tick, so the first batches can be chosen well.
        if (queue.length === 1) queueMicrotask(dispatch);
      });
    },
    async close() {
      await Promise.all(
        children.map(({ process: proc }) => {
          if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
          const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
          proc.disconnect(); // the child exits when its channel closes
          return exited;
        }),
      );
    },
  };
}
