/**
 * The site index (issue #17): everything a serving process needs of every post but its body,
 * kept in the render cache. A start reads this one file, checks each post's size and
 * modification time against it, and reads no post that did not change.
 *
 * Never trusted blindly: an index of another version of the content code (its fingerprint), a
 * corrupt one, or one of another posts directory is rebuilt from the posts (only the corrupt
 * one is worth a warning). Written to a temporary file, then renamed over the old one, so a
 * reader (a worker, the next start) never sees half of it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { InternalLink } from '../source/internal-links.ts';
import type { FrontMatter, RenderWarning } from '../types.ts';
import { removeQuietly } from './body-store.ts';
import { contentFingerprint } from './fingerprint.ts';

export const INDEX_FILE = 'site-index.json';
const FORMAT = 1;

/** What identifies a post file's content without reading it (size, mtime), and once read. */
export interface SourceStamp {
  size: number;
  mtimeMs: number;
  /** sha256 of the bytes, base64url. */
  hash: string;
}

/** Front matter as validated, dates as ISO strings (JSON has no dates). */
export interface StoredFrontMatter extends Omit<FrontMatter, 'date' | 'updated'> {
  date: string;
  updated?: string | undefined;
}

/** One post of the index. */
export interface IndexEntry {
  /** Relative to the posts directory, with `/` between folders. */
  path: string;
  source: SourceStamp;
  frontMatter: StoredFrontMatter;
  /** File line of each top-level front matter field, for messages about it (slug clashes). */
  fieldLines: Record<string, number>;
  /** Links to other posts, for `npm run check`. */
  links: InternalLink[];
  /** Key of the rendered body in the render cache: hash of the renderer and the source. */
  bodyKey: string;
  // What rendering the body told about it, besides its HTML (in its own cache file):
  firstParagraph: string;
  wordCount: number;
  warnings: RenderWarning[];
}

interface IndexFile {
  format: typeof FORMAT;
  fingerprint: string;
  postsDir: string;
  entries: IndexEntry[];
}

export interface ReadIndex {
  entries: IndexEntry[];
  /** Set when an index was there but could not be used, saying why (logged once). */
  warning?: string | undefined;
}

/**
 * The entries of the index in `cacheDir` if it was written by this content code (its
 * fingerprint) for this posts directory; none otherwise. Never throws.
 */
export async function readSiteIndex(cacheDir: string, postsDir: string): Promise<ReadIndex> {
  const path = join(cacheDir, INDEX_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { entries: [] };
    return { entries: [], warning: `cannot read the site index ${path}: ${code ?? String(error)}` };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return {
      entries: [],
      warning: `the site index ${path} is corrupt (${(error as Error).message}): rebuilding it`,
    };
  }
  const index = data as Partial<IndexFile> | null;
  if (index?.format !== FORMAT || index.fingerprint !== contentFingerprint()) {
    return {
      entries: [],
      warning: `the site index ${path} was written by another version of Quire: rebuilding it`,
    };
  }
  // Another blog's cache: start afresh.
  if (index.postsDir !== resolve(postsDir)) return { entries: [] };
  if (!Array.isArray(index.entries) || !index.entries.every(isEntry)) {
    return { entries: [], warning: `the site index ${path} is corrupt: rebuilding it` };
  }
  return { entries: index.entries };
}

/**
 * Writes the index; resolves to an error message when it cannot be written (read-only cache,
 * full disk): the site still serves, the next start validates again.
 */
export function writeSiteIndex(
  cacheDir: string,
  postsDir: string,
  entries: readonly IndexEntry[],
): string | undefined {
  const path = join(cacheDir, INDEX_FILE);
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const index: IndexFile = {
    format: FORMAT,
    fingerprint: contentFingerprint(),
    postsDir: resolve(postsDir),
    entries: [...entries],
  };
  try {
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(temporary, JSON.stringify(index));
    renameSync(temporary, path);
    return undefined;
  } catch (error) {
    removeQuietly(temporary); // what a full disk let through (issue #20)
    return `cannot write the site index ${path}: ${(error as Error).message}`;
  }
}

/** The shape an entry must have to be used; anything else means the file is not ours. */
function isEntry(value: unknown): value is IndexEntry {
  const entry = value as Partial<IndexEntry> | null;
  const fm = entry?.frontMatter;
  return (
    typeof entry?.path === 'string' &&
    typeof entry.bodyKey === 'string' &&
    typeof entry.source?.size === 'number' &&
    typeof entry.source.mtimeMs === 'number' &&
    typeof entry.source.hash === 'string' &&
    typeof fm?.title === 'string' &&
    typeof fm.date === 'string' &&
    typeof fm.slug === 'string' &&
    Array.isArray(fm.tags) &&
    Array.isArray(fm.aliases) &&
    typeof entry.wordCount === 'number' &&
    typeof entry.firstParagraph === 'string' &&
    Array.isArray(entry.warnings) &&
    Array.isArray(entry.links) &&
    typeof entry.fieldLines === 'object'
  );
}
