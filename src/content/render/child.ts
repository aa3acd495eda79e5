/**
 * The task module of the render pool's child processes (pool.ts): tinypool's process
 * entry imports it when the child starts, and calls the default export once per post, image or social card.
 */
import { errorData } from '../../error-text.ts';
import type {
  CardJob,
  CardReply,
  ChildReply,
  ImageJob,
  ImageReply,
  RenderJob,
} from './protocol.ts';
import renderBody, { startRenderer } from './render-body.ts';

// The pool starts its children before the posts are validated: create the highlighter meanwhile.
startRenderer().catch(() => {});

export default async function renderInChild(
  job: RenderJob | ImageJob | CardJob,
): Promise<ChildReply | ImageReply | CardReply> {
  try {
    if ('kind' in job && job.kind === 'card') {
      // satori and resvg too, by the first card.
      const { default: makeCard } = await import('../cards/card-job.ts');
      return { ok: true, result: await makeCard(job) };
    }
    if ('kind' in job) {
      // sharp is loaded by the first image: a child rendering posts only never loads it.
      const { default: processImage } = await import('../media/image-job.ts');
      return { ok: true, result: await processImage(job) };
    }
    return { ok: true, rendered: await renderBody(job) };
  } catch (error) {
    return { ok: false, pid: process.pid, error: errorData(error) };
  }
}
