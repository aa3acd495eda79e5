/**
 * The render cache's manifest: which posts (by path and cache key) were validated together and
 * are all in the cache. Written by whatever prepared the cache for every post (`npm run render`,
 * which the production image runs at build time, and the cluster primary's prepare child), so
 * that a cluster primary finding the same posts, the same code and every entry still there can
 * skip the child that would only confirm it: a whole Node process started, and waited for,
 * before the workers are forked (issue #7, production image ready within 2 s).
 *
 * Only an optimisation: a worker still validates every post and renders whatever the cache lacks
 * (`loadSite`), so a wrong or stale manifest costs time or a louder failure, never a wrong page.
 * Posts are compared by content (their cache keys), not by size and mtime: reading and hashing
 * them is cheap next to starting a process, and mtimes do not survive every copy or checkout.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { discoverPosts } from './discover-posts.ts';
import { hashPackageVersions, hashSources, rendererFingerprint } from './render/fingerprint.ts';
import { cacheKey } from './render-cache.ts';

/** Not `<64 hex>.json`: the cache's prune never deletes it. */
export const MANIFEST_FILE = 'manifest.json';
const VERSION = 1;

export interface CacheManifest {
  version: typeof VERSION;
  /** The content code that validated and rendered the posts (see `contentCodeFingerprint`). */
  code: string;
  /** [path relative to the posts directory, cache key], sorted by path. */
  posts: Array<[string, string]>;
  /** How many of them are published (not drafts). */
  published: number;
}

/** The posts as they are now: what a manifest is written from and compared with. */
export interface PostsSnapshot {
  code: string;
  posts: Array<[string, string]>;
}

export type ManifestCheck =
  { complete: true; posts: number; published: number } | { complete: false; reason: string };

/**
 * Reads every post and computes its cache key. Throws what `discoverPosts` throws (a missing
 * posts directory).
 */
export async function snapshotPosts(postsDir: string): Promise<PostsSnapshot> {
  const fingerprint = rendererFingerprint();
  const sources = await discoverPosts(postsDir);
  return {
    code: contentCodeFingerprint(),
    posts: sources.map(({ file, source }) => [
      relative(postsDir, file),
      cacheKey(fingerprint, source),
    ]),
  };
}

/** Write then rename, like the cache's entries. Resolves to an error message on failure. */
export async function writeCacheManifest(
  cacheDir: string,
  snapshot: PostsSnapshot,
  published: number,
): Promise<string | undefined> {
  const manifest: CacheManifest = { version: VERSION, ...snapshot, published };
  const path = join(cacheDir, MANIFEST_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(cacheDir, { recursive: true }); // No post rendered, no directory yet.
    await writeFile(temporary, JSON.stringify(manifest));
    await rename(temporary, path);
    return undefined;
  } catch (error) {
    return `cannot write the render cache manifest ${path}: ${(error as Error).message}`;
  }
}

/**
 * Whether the manifest in `cacheDir` describes the posts in `postsDir` as they are now, with
 * the code running now, and every entry it names is still in the cache. Never throws: anything
 * unexpected (no posts directory, an unreadable manifest) is a reason to prepare the cache.
 */
export async function checkCacheManifest(
  postsDir: string,
  cacheDir: string,
): Promise<ManifestCheck> {
  let manifest: CacheManifest;
  try {
    manifest = JSON.parse(await readFile(join(cacheDir, MANIFEST_FILE), 'utf8')) as CacheManifest;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      complete: false,
      reason:
        code === 'ENOENT' || code === 'ENOTDIR'
          ? 'no manifest'
          : `unreadable manifest: ${(error as Error).message}`,
    };
  }
  if (manifest?.version !== VERSION || !Array.isArray(manifest.posts)) {
    return { complete: false, reason: 'manifest of another format' };
  }
  let now: PostsSnapshot;
  try {
    now = await snapshotPosts(postsDir);
  } catch (error) {
    return { complete: false, reason: `cannot read the posts: ${(error as Error).message}` };
  }
  if (manifest.code !== now.code) {
    return { complete: false, reason: 'the content code or renderer changed' };
  }
  const changed = difference(manifest.posts, now.posts);
  if (changed) return { complete: false, reason: changed };

  const entries = new Set(await readdir(cacheDir).catch(() => [] as string[]));
  const missing = now.posts.filter(([, key]) => !entries.has(`${key}.json`)).length;
  if (missing > 0) {
    return { complete: false, reason: `${missing} cache entries missing` };
  }
  return { complete: true, posts: now.posts.length, published: manifest.published };
}

function difference(
  before: ReadonlyArray<readonly [string, string]>,
  now: ReadonlyArray<readonly [string, string]>,
): string | undefined {
  const old = new Map(before.map(([file, key]) => [file, key]));
  const current = new Map(now.map(([file, key]) => [file, key]));
  let added = 0;
  let changed = 0;
  for (const [file, key] of current) {
    if (!old.has(file)) added++;
    else if (old.get(file) !== key) changed++;
  }
  const removed = [...old.keys()].filter((file) => !current.has(file)).length;
  if (added + changed + removed === 0) return undefined;
  return `posts changed since the manifest: ${added} added, ${changed} changed, ${removed} removed`;
}

const here = dirname(fileURLToPath(import.meta.url));
/** What front matter validation runs on (front-matter.ts, front-matter-schema.ts). */
const VALIDATION_PACKAGES = [['yaml'], ['zod']] as const;
let codeFingerprint: string | undefined;

/**
 * The renderer's fingerprint plus the source of this directory (front matter parsing and
 * schema, slug checks): a manifest says the posts were *validated*, and validation is this
 * code's. `.ts` when run from source, `.js` in `dist/`. And the versions of the parser and
 * schema library that validation runs on: after upgrading them, a post they now reject is
 * found by the prepare child, with the primary's one clear error, not by every worker.
 */
function contentCodeFingerprint(): string {
  if (codeFingerprint !== undefined) return codeFingerprint;
  const hash = createHash('sha256').update(rendererFingerprint()).update('\n');
  hashPackageVersions(hash, VALIDATION_PACKAGES, here);
  hashSources(hash, here);
  codeFingerprint = hash.digest('hex').slice(0, 32);
  return codeFingerprint;
}
