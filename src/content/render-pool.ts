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
 */
import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rendered, RenderJob } from './render-worker.ts';

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
 * Not the parent's execArgv: its --watch or --inspect must not apply to the children. A smaller
 * young generation than V8 picks on a big machine: peak RSS 295–345 MB per child instead of
 * 400–455 MB, same CPU time (1000 posts, 2 children, 2 runs each).
 */
const CHILD_EXEC_ARGV = ['--max-semi-space-size=16'];

/** Parent -> child: render these. Child -> parent: one result (or error) per job, in order. */
export interface BatchRequest {
  jobs: RenderJob[];
}
export type BatchReply = { ok: true; results: Rendered[] } | { ok: false; error: string };

export function createRenderer(jobCount: number): Renderer {
  const children = Math.min(availableParallelism(), Math.floor(jobCount / POSTS_PER_CHILD));
  if (children < 2) return inProcessRenderer();
  return processRenderer(children);
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
      return (await render)(job);
    },
    close: async () => {},
  };
}

interface Pending {
  job: RenderJob;
  languages: string[];
  resolve(result: Rendered): void;
  reject(error: Error): void;
}

interface Child {
  process: ChildProcess;
  /** Code languages of every post sent to it: the grammars it has compiled. */
  languages: Set<string>;
  batch: Pending[] | undefined;
}

/** The fence languages of a body, for scheduling only (a miss costs time, not correctness). */
const FENCE = /^[ \t]*(?:`{3,}|~{3,})[ \t]*([^\s`]+)/gm;
function fenceLanguages(body: string): string[] {
  return [...new Set(Array.from(body.matchAll(FENCE), (match) => match[1] as string))];
}

function processRenderer(count: number): Renderer {
  // The child runs from .ts sources in development and from compiled .js in the image.
  const entry = fileURLToPath(
    new URL(`./render-worker${extname(import.meta.url)}`, import.meta.url),
  );
  const queue: Pending[] = [];
  const children: Child[] = [];
  let failure: Error | undefined;

  const fail = (error: Error) => {
    failure ??= error;
    for (const pending of queue.splice(0)) pending.reject(failure);
    for (const child of children) {
      for (const pending of child.batch ?? []) pending.reject(failure);
      child.batch = undefined;
      child.process.kill();
    }
  };

  /** The next batch for this child: posts needing the fewest grammars it has not compiled yet. */
  const take = (child: Child): Pending[] => {
    const unknown = (pending: Pending) =>
      pending.languages.reduce((n, lang) => n + (child.languages.has(lang) ? 0 : 1), 0);
    const batch: Pending[] = [];
    while (batch.length < BATCH && queue.length > 0) {
      let best = 0;
      let bestCost = unknown(queue[0] as Pending);
      for (let i = 1; i < queue.length && bestCost > 0; i++) {
        const cost = unknown(queue[i] as Pending);
        if (cost < bestCost) [best, bestCost] = [i, cost];
      }
      const [pending] = queue.splice(best, 1) as [Pending];
      for (const lang of pending.languages) child.languages.add(lang);
      batch.push(pending);
    }
    return batch;
  };

  const dispatch = () => {
    for (const child of children) {
      if (child.batch || queue.length === 0 || failure) continue;
      child.batch = take(child);
      child.process.send({
        jobs: child.batch.map((pending) => pending.job),
      } satisfies BatchRequest);
    }
  };

  for (let i = 0; i < count; i++) {
    const proc = fork(entry, [], {
      execArgv: CHILD_EXEC_ARGV,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const child: Child = { process: proc, languages: new Set(), batch: undefined };
    children.push(child);
    proc.on('message', (reply: BatchReply) => {
      const batch = child.batch ?? [];
      child.batch = undefined;
      if (!reply.ok) {
        fail(new Error(reply.error));
        return;
      }
      for (const [index, pending] of batch.entries())
        pending.resolve(reply.results[index] as Rendered);
      dispatch();
    });
    proc.on('error', fail);
    proc.on('exit', (code, signal) => {
      if (child.batch || queue.length > 0)
        fail(new Error(`render process exited early (${signal ?? `code ${code}`})`));
    });
  }

  return {
    render(job) {
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        queue.push({ job, languages: fenceLanguages(job.body), resolve, reject });
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
