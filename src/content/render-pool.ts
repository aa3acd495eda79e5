/**
 * Spreads a cold render over every core: Shiki is CPU-bound and synchronous,
 * so on an empty cache one thread per core renders posts in parallel
 * (piscina, the thread pool maintained by Node.js core contributors).
 */
import { availableParallelism } from 'node:os';
import { extname } from 'node:path';
import { Piscina } from 'piscina';
import renderInThisThread, { type RenderJob } from './render-worker.ts';
import type { RenderedBody } from './types.ts';

export type { RenderJob };

export interface Renderer {
  render(job: RenderJob): Promise<RenderedBody>;
  close(): Promise<void>;
}

/**
 * Each thread pays for loading marked and Shiki (a few hundred ms), so a
 * handful of posts is rendered in this thread and only bigger batches fan out.
 */
const POSTS_PER_THREAD = 25;

export function createRenderer(jobCount: number): Renderer {
  const threads = Math.min(availableParallelism(), Math.floor(jobCount / POSTS_PER_THREAD));
  if (threads < 2) return { render: renderInThisThread, close: async () => {} };

  // The worker runs from .ts sources in development and from compiled .js in the image.
  const filename = new URL(`./render-worker${extname(import.meta.url)}`, import.meta.url).href;
  const pool = new Piscina<RenderJob, RenderedBody>({
    filename,
    minThreads: threads,
    maxThreads: threads,
  });
  return {
    render: (job) => pool.run(job),
    close: () => pool.destroy(),
  };
}
