/**
 * The rendered bodies in the render cache: one JSON file per body, named by a hash of the
 * renderer's fingerprint and the post's source (`bodyKey`), so only a changed post, library or
 * renderer renders again. Pages read a body from here when they are rendered (issue #17): the
 * bodies live in the OS page cache, shared by every worker, not in each process's heap.
 *
 * An optimisation, never a reason to fail: a corrupt entry is a miss, and a cache that cannot
 * be written (read-only image, full disk) is reported once; this process then keeps what it
 * rendered in memory.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RenderedBody } from '../types.ts';
import { rendererFingerprint } from './fingerprint.ts';

/** Also matches the bodies of earlier versions, so pruning removes them. */
const ENTRY = /^([0-9a-f]{64})\.json$/;

export function bodyKey(source: string): string {
  return createHash('sha256').update(`${rendererFingerprint()}\0`).update(source).digest('hex');
}

export interface BodyStore {
  /** The body with this key, or undefined when there is none (or it is unreadable). */
  read(key: string): Promise<RenderedBody | undefined>;
  /** Resolves to an error message when the body could not be written; it is then kept here. */
  write(key: string, body: RenderedBody): string | undefined;
  /** Deletes every body whose key is not in `keep`, so the cache never outgrows the posts. */
  prune(keep: ReadonlySet<string>): Promise<void>;
}

export function createBodyStore(dir: string): BodyStore {
  const path = (key: string) => join(dir, `${key}.json`);
  // Temporary names unique across processes and containers sharing the volume (pids repeat).
  const writer = randomBytes(6).toString('hex');
  let written = 0;
  let ensured = false;
  /** Bodies that could not be written: this process still serves them. */
  const unwritten = new Map<string, RenderedBody>();

  return {
    async read(key) {
      const kept = unwritten.get(key);
      if (kept) return kept;
      let text: string;
      try {
        text = await readFile(path(key), 'utf8');
      } catch {
        return undefined; // not there, or the cache directory is missing or unusable
      }
      try {
        return JSON.parse(text) as RenderedBody;
      } catch {
        return undefined; // a torn or corrupt entry is a miss; rendering rewrites it
      }
    },

    // Synchronous: during a cold render this process writes each body as it comes back while
    // the render processes use every core; through fs/promises each open, write, close and
    // rename is a thread-pool round trip and a promise.
    write(key, body) {
      const temporary = `${path(key)}.${writer}${(written++).toString(36)}.tmp`;
      try {
        if (!ensured) mkdirSync(dir, { recursive: true });
        ensured = true;
        writeFileSync(temporary, JSON.stringify(body));
        renameSync(temporary, path(key));
        return undefined;
      } catch (error) {
        // A full disk leaves the part it wrote (issue #20): it would only fill it further.
        removeQuietly(temporary);
        unwritten.set(key, body);
        return `render cache ${dir} is not writable: ${(error as Error).message}`;
      }
    },

    async prune(keep) {
      for (const key of unwritten.keys()) if (!keep.has(key)) unwritten.delete(key);
      const names = await readdir(dir).catch(() => [] as string[]);
      const stale = names.filter((name) => {
        const key = ENTRY.exec(name)?.[1];
        return key !== undefined && !keep.has(key);
      });
      await Promise.all(stale.map((name) => rm(join(dir, name), { force: true })));
    },
  };
}

/** Removes a file a failed write may have left; there may be none, or no directory for it. */
export function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // nothing was written there
  }
}
