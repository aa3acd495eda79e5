/**
 * Fault case (issue #20): the posts directory vanishes while Quire serves (WORKERS=2). A copy of
 * the sample blog is served; each page of its sitemap gets a client opening a new connection
 * per request, and the directory is renamed away under that load. Target: every request is
 * answered 200 (the cluster serves what it loaded: the index and the render cache, never the
 * posts' files), no 5xx, no worker dies, nothing logged at error level.
 */
import { cp, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectionPerRequest } from '../../../test/helpers/connection-per-request.ts';
import { ROOT } from '../../../test/system/nginx/environment.ts';
import { linesWith, workersListening } from '../faults/cluster.ts';
import { type FaultFigures, type Judged, judged, RequestLog } from '../faults/figures.ts';
import { inScope } from '../faults/scope.ts';

export type PostsVanishFigures = FaultFigures &
  Judged & {
    pages: number;
    /** Requests answered with a status other than 200. */
    not200: number;
    /** Requests answered after the directory was gone. */
    answeredAfter: number;
    workersDied: number;
    errors: number;
  };

export async function postsVanishUnderLoad({
  short,
}: {
  short: boolean;
}): Promise<PostsVanishFigures> {
  return inScope(async (scope) => {
    const dir = await scope.tempDir('quire-soak-posts-');
    const postsDir = join(dir, 'posts');
    await cp(join(ROOT, 'posts'), postsDir, { recursive: true });
    const server = scope.server({
      WORKERS: '2',
      NODE_ENV: 'production',
      POSTS_DIR: postsDir,
      CACHE_DIR: join(dir, 'cache'),
    });
    const base = new URL(await workersListening(server, 2));
    const sitemap = await (await fetch(new URL('/sitemap.xml', base))).text();
    const pages = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map(
      (match) => new URL(match[1]!).pathname,
    );
    const requests = new RequestLog();
    const stop = new AbortController();
    const loads = pages.map((path) =>
      connectionPerRequest(
        { host: base.hostname, port: Number(base.port), path },
        { clients: 1, signal: stop.signal, maxMs: 120_000, onRequest: requests.add },
      ),
    );
    let goneAt = Infinity;
    try {
      await sleep(1000);
      await rename(postsDir, join(dir, 'moved-away'));
      goneAt = performance.now();
      await sleep(short ? 2000 : 20_000);
    } finally {
      stop.abort();
      await Promise.all(loads);
    }
    const answered = requests.requests.flatMap((request) =>
      request.one.kind === 'answered' ? [{ ...request, status: request.one.status }] : [],
    );
    const lines = server.logLines();
    const figures = {
      ...requests.figures(),
      pages: pages.length,
      not200: answered.filter((request) => request.status !== 200).length,
      answeredAfter: answered.filter((request) => request.startedAt > goneAt).length,
      workersDied: linesWith(server, '"msg":"worker died"').length,
      errors: lines.filter((line) => ['error', 'fatal'].includes(String(line.level))).length,
    };
    return judged(figures, [
      [figures.failed === 0, `${figures.failed} requests were not answered 200`],
      [figures.workersDied === 0, `${figures.workersDied} workers died`],
      [figures.errors === 0, `${figures.errors} lines at error level`],
    ]);
  });
}
