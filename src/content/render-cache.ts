/**
 * The on-disk render cache: one JSON file per rendered post body, named by a
 * hash of the renderer's fingerprint and the post's source. A restart with
 * unchanged posts therefore renders nothing, and a changed post (or a new
 * marked/Shiki version, or a change to our renderer code) renders again.
 *
 * The cache is an optimisation: a corrupt entry is a miss, and a cache that
 * cannot be written (read-only image, full disk) is reported, not fatal.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RenderedBody } from './types.ts';

const ENTRY = /^[0-9a-f]{64}\.json$/;

export function cacheKey(rendererFingerprint: string, source: string): string {
  return createHash('sha256').update(rendererFingerprint).update('\0').update(source).digest('hex');
}

export interface RenderCache {
  /** Whether an entry exists, without reading it. */
  has(key: string): Promise<boolean>;
  get(key: string): Promise<RenderedBody | undefined>;
  /** Resolves to an error message when the entry could not be written. */
  set(key: string, body: RenderedBody): Promise<string | undefined>;
  /** Deletes every entry whose key is not in `keep`, so the cache never outgrows the posts. */
  prune(keep: ReadonlySet<string>): Promise<void>;
}

export function createRenderCache(dir: string): RenderCache {
  const path = (key: string) => join(dir, `${key}.json`);
  let ensured = false;
  // Temporary names unique across processes (and containers sharing the volume, where pids
  // repeat) with one random draw per cache, not one per entry.
  const writer = randomBytes(6).toString('hex');
  let written = 0;
  // The entries there were at the first lookup: one readdir, so a cold start does not try (and
  // fail) to open one entry per post while the render children need both cores (file opens were
  // the main process's top item in a cold-start profile). An entry written since is not in it: a
  // miss, which loadSite (the only user, one cache per load) never asks for anyway.
  let listing: Promise<Set<string> | undefined> | undefined;
  const listed = () =>
    (listing ??= readdir(dir).then(
      (names) => new Set(names),
      (error: unknown) =>
        // No cache directory yet: everything misses. Anything else: open each entry as before.
        isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR') ? new Set<string>() : undefined,
    ));

  return {
    async has(key) {
      const names = await listed();
      return names ? names.has(`${key}.json`) : (await this.get(key)) !== undefined;
    },

    async get(key) {
      const names = await listed();
      if (names && !names.has(`${key}.json`)) return undefined;
      let text: string;
      try {
        text = await readFile(path(key), 'utf8');
      } catch (error) {
        // Not there yet, or the cache directory itself is missing or unusable: a miss.
        if (isCode(error, 'ENOENT') || isCode(error, 'ENOTDIR')) return undefined;
        throw error;
      }
      try {
        return JSON.parse(text) as RenderedBody;
      } catch {
        return undefined; // A torn or corrupt entry is just a miss; it is rewritten below.
      }
    },

    // Synchronous: a cold start writes an entry (~27 kB) as each render comes back, while the
    // render children need both cores. 1000 entries cost this process 82–322 ms of CPU written
    // synchronously vs 297–674 ms through fs/promises (open, write, close and rename each a
    // thread-pool round trip and a promise; a file handle object to collect), same run each.
    async set(key, body) {
      try {
        if (!ensured) mkdirSync(dir, { recursive: true });
        ensured = true;
        // Write then rename, so a reader (another process) never sees half an entry.
        const temporary = `${path(key)}.${writer}${(written++).toString(36)}.tmp`;
        writeFileSync(temporary, JSON.stringify(body));
        renameSync(temporary, path(key));
        return undefined;
      } catch (error) {
        return `render cache ${dir} is not writable: ${(error as Error).message}`;
      }
    },

    async prune(keep) {
      const names = await readdir(dir).catch(() => [] as string[]);
      const stale = names.filter((name) => ENTRY.test(name) && !keep.has(name.slice(0, 64)));
      await Promise.all(stale.map((name) => rm(join(dir, name), { force: true })));
    },
  };
}

function isCode(error: unknown, code: string): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === code;
}
