/**
 * The child process in which the cluster primary fills the render cache (see `prepareAndReport`
 * in load.ts). Validating 1000 posts and rendering or checking them leaves the process that does
 * it with a grown heap, the YAML/zod/Shiki modules loaded and V8's young generation sized for the
 * load; the primary lives as long as the cluster, so it hands that work to a process that exits
 * and gives all of it back (issue #5: total RSS of the cluster).
 *
 * Parent -> child: the options, as JSON in argv (a message sent before this module has loaded
 * would find no listener and be lost). Child -> parent: the report, or the problems that stop
 * the site.
 */
import { snapshotPosts, writeCacheManifest } from '../content/cache-manifest.ts';
import { prepareRenderCache, type LoadReport, type LoadSiteOptions } from '../content/load-site.ts';
import { ContentError, type ContentProblem } from '../content/types.ts';
import { type ErrorData, errorData } from '../error-text.ts';

/**
 * Tagged with a `type` of Quire's own: other messages can arrive on the channel (issue #15:
 * Node's watch mode reports loaded modules over it), and are never taken for the reply.
 */
export const PREPARE_REPLY = 'quire:prepared';

export type PrepareReply = { type: typeof PREPARE_REPLY } & (
  | { ok: true; report: LoadReport }
  | { ok: false; problems: ContentProblem[] }
  | { ok: false; error: ErrorData }
);

if (import.meta.main && process.send) {
  // Exit once the reply is out: the parent waits for the exit, so the memory is back by then.
  const send = (reply: PrepareReply) =>
    process.send?.(reply, undefined, undefined, () => process.exit(0));
  // The primary is gone (killed while starting): nobody needs the cache filled.
  process.on('disconnect', () => process.exit(1));
  const options = JSON.parse(process.argv[2] ?? '{}') as LoadSiteOptions;
  prepare(options).then(
    (report) => send({ type: PREPARE_REPLY, ok: true, report }),
    (error: unknown) =>
      send(
        error instanceof ContentError
          ? { type: PREPARE_REPLY, ok: false, problems: [...error.problems] }
          : { type: PREPARE_REPLY, ok: false, error: errorData(error) },
      ),
  );
}

/**
 * Prepares the cache, then writes its manifest so that the next start can skip this process
 * (cache-manifest.ts). The snapshot is taken first: posts edited meanwhile do not match it. A
 * manifest that cannot be written (read-only image, whose build wrote one) only means the next
 * start prepares again; the primary logs why it prepares.
 */
async function prepare(options: LoadSiteOptions): Promise<LoadReport> {
  const snapshot = await snapshotPosts(options.postsDir).catch(() => undefined);
  const report = await prepareRenderCache(options);
  if (snapshot && report.cacheError === undefined) {
    await writeCacheManifest(options.cacheDir, snapshot, report.published);
  }
  return report;
}
