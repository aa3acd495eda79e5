/**
 * Fault case (issue #20): the render cache cannot be written. CACHE_DIR is a tmpfs of its own,
 * mounted in a mount namespace of Quire's alone (`unshare -m`, which needs root or
 * CAP_SYS_ADMIN): either full (a filler file took every block: ENOSPC) or read-only (EROFS).
 * Quire (WORKERS=2) starts cold on the sample posts, then every page of its sitemap is read
 * `rounds` times. Target: every page answers 200, the cache's failure is one warning line for
 * the cluster (never one per post, nor one per worker), and no partly written file is left.
 */
import { spawnSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Agent, request } from 'undici';
import { workersListening } from '../faults/cluster.ts';
import { type FaultFigures, type Judged, judged } from '../faults/figures.ts';
import { inScope } from '../faults/scope.ts';

export type CacheFault = 'full' | 'read-only';

export type CacheUnwritableFigures = FaultFigures &
  Judged & {
    fault: CacheFault;
    pages: number;
    /** Warning lines naming the cache directory, and the processes that logged one. */
    cacheWarnings: number;
    processesWarning: number;
    /** Every warning line, whatever it says. */
    warnings: number;
    /** Everything the app logged at error level or above. */
    errors: number;
    /** Files the failed writes left in the cache directory. */
    leftovers: string[];
    /** The errno the filesystem gave, as the warning quotes it. */
    errno: string;
  };

/** The tmpfs: full is a small one a filler file fills; read-only is mounted so. */
const mountScript: Record<CacheFault, string> = {
  full:
    'mount -t tmpfs -o size=256k tmpfs "$QUIRE_SOAK_CACHE" && ' +
    '{ dd if=/dev/zero of="$QUIRE_SOAK_CACHE/filler" bs=4k 2>/dev/null; true; }',
  'read-only': 'mount -t tmpfs -o ro,size=256k tmpfs "$QUIRE_SOAK_CACHE"',
};

export async function cacheUnwritable({
  short,
  fault,
}: {
  short: boolean;
  fault: CacheFault;
}): Promise<CacheUnwritableFigures> {
  const rounds = short ? 2 : 20;
  return inScope(async (scope) => {
    const cacheDir = await scope.tempDir('quire-soak-cache-');
    const server = scope.server(
      { WORKERS: '2', NODE_ENV: 'production', POSTS_DIR: 'posts', CACHE_DIR: cacheDir },
      [
        'unshare',
        '--mount',
        '--propagation',
        'private',
        'sh',
        '-c',
        `QUIRE_SOAK_CACHE='${cacheDir}'; ${mountScript[fault]} && exec "$0" "$@"`,
      ],
    );
    const base = await workersListening(server, 2);
    const agent = new Agent({ connections: 8 });
    scope.defer(() => agent.close());
    const get = async (path: string) => {
      const response = await request(new URL(path, base), { dispatcher: agent });
      return { status: response.statusCode, body: await response.body.text() };
    };
    const sitemap = await get('/sitemap.xml');
    const pages = [...sitemap.body.matchAll(/<loc>([^<]+)<\/loc>/g)].map(
      (match) => new URL(match[1]!).pathname,
    );
    const statuses: number[] = [];
    let failed = 0;
    for (let round = 0; round < rounds; round++) {
      const answers = await Promise.allSettled(pages.map(get));
      for (const answer of answers) {
        if (answer.status === 'fulfilled') statuses.push(answer.value.status);
        else failed++;
      }
    }
    const lines = server.logLines();
    const cacheWarnings = lines.filter(
      (line) => line.level === 'warn' && JSON.stringify(line).includes(cacheDir),
    );
    // Seen from inside Quire's mount namespace (/proc/<pid>/root), where the tmpfs is.
    const inside = join(`/proc/${server.child.pid}/root`, cacheDir);
    // Files only: an empty folder (the media folder, made before its first write failed) holds
    // no partly written data.
    const leftovers = (await readdir(inside, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) => relative(inside, join(entry.parentPath, entry.name)))
      .filter((name) => name !== 'filler' && !name.startsWith('node-compile-cache/'));
    const sent = statuses.length + failed;
    const figures = {
      sent,
      answered: statuses.length,
      failed: failed + statuses.filter((status) => status !== 200).length,
      lost: failed,
      fiveXX: statuses.filter((status) => status >= 500).length,
      p50Ms: 0,
      p99Ms: 0,
      fault,
      pages: pages.length,
      cacheWarnings: cacheWarnings.length,
      processesWarning: new Set(cacheWarnings.map((line) => line.pid)).size,
      warnings: lines.filter((line) => line.level === 'warn').length,
      errors: lines.filter((line) => ['error', 'fatal'].includes(String(line.level))).length,
      leftovers,
      errno: /\b(E[A-Z]+)\b/.exec(JSON.stringify(cacheWarnings[0] ?? ''))?.[1] ?? '',
    };
    const errno = { full: 'ENOSPC', 'read-only': 'EROFS' }[fault];
    return judged(figures, [
      [figures.errno === errno, `the cache failed with "${figures.errno}", not ${errno}`],
      [figures.failed === 0, `${figures.failed} pages were not answered 200`],
      [figures.warnings === 1, `${figures.warnings} warning lines, not 1`],
      [figures.cacheWarnings === 1, `${figures.cacheWarnings} warnings name the cache, not 1`],
      [figures.errors === 0, `${figures.errors} lines at error level`],
      [figures.leftovers.length === 0, `left in the cache: ${figures.leftovers.join(', ')}`],
    ]);
  });
}

/** Why this machine cannot run the case (no mount namespace of its own), or undefined. */
export function cannotMount(): string | undefined {
  const tried = spawnSync('unshare', ['--mount', 'sh', '-c', 'mount -t tmpfs tmpfs /mnt'], {
    encoding: 'utf8',
  });
  if (tried.status === 0) return undefined;
  return `cannot mount a tmpfs in a mount namespace (unshare needs root or CAP_SYS_ADMIN): ${(tried.stderr || String(tried.error)).trim()}`;
}
