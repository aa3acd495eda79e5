/**
 * The site index (issue #17): everything a serving process needs of every post and standalone page
 * (issue #18) but its body, the media manifest of the files beside the posts and the theme's
 * colours for the social cards (issue #18), kept in the render cache. A start reads this one file, checks each post's size and
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
import type { ThemeColours } from '../cards/theme-colours.ts';
import type { ImageInfo } from '../render/protocol.ts';
import type { FileLink, InternalLink } from '../source/internal-links.ts';
import type { ContentProblem, FrontMatter, PageFrontMatter, RenderWarning } from '../types.ts';
import { removeQuietly } from './body-store.ts';
import { contentFingerprint } from './fingerprint.ts';

export const INDEX_FILE = 'site-index.json';
const FORMAT = 4;

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

/** One post of the index (a page's has `PageFrontMatter`: it has no dates to store as text). */
export interface IndexEntry<F = StoredFrontMatter> {
  /** Relative to the posts directory, with `/` between folders. */
  path: string;
  source: SourceStamp;
  frontMatter: F;
  /** File line of each top-level front matter field, for messages about it (slug clashes). */
  fieldLines: Record<string, number>;
  /** Links to other posts, for `npm run check`. */
  links: InternalLink[];
  /** The files it shows or links to, its cover included (issue #18). */
  files: FileLink[];
  /** Key of the rendered body in the render cache: hash of the renderer and the source. */
  bodyKey: string;
  // What rendering the body told about it, besides its HTML (in its own cache file):
  firstParagraph: string;
  wordCount: number;
  warnings: RenderWarning[];
}

/** A file beside the posts that a post shows or links to (issue #18): the media manifest. */
export interface MediaEntry {
  /** Relative to the posts directory, with `/` between folders. */
  path: string;
  source: SourceStamp;
  /** What the image job found, for a file shown as an image. */
  image?: ImageInfo | undefined;
  /** Widths of its variants in the render cache; none: served as is. */
  variants: number[];
}

export type PageEntry = IndexEntry<PageFrontMatter>;

/**
 * The theme's colours for the social cards (issue #18), or why it gives none, as read from its
 * stylesheet: a start whose stylesheet did not change parses no CSS.
 */
export interface ThemeEntry {
  stylesheet: string;
  source: SourceStamp;
  read: { colours: ThemeColours } | { problem: ContentProblem };
}

/** The folders an index is for: another blog's index is not used. */
export interface IndexDirs {
  postsDir: string;
  pagesDir?: string | undefined;
}

interface IndexFile {
  format: typeof FORMAT;
  fingerprint: string;
  postsDir: string;
  pagesDir: string | null;
  entries: IndexEntry[];
  pages: PageEntry[];
  media: MediaEntry[];
  theme: ThemeEntry | null;
}

export interface ReadIndex {
  entries: IndexEntry[];
  pages: PageEntry[];
  media: MediaEntry[];
  theme?: ThemeEntry | undefined;
  /** Set when an index was there but could not be used, saying why (logged once). */
  warning?: string | undefined;
}

const pagesDirOf = (dirs: IndexDirs) =>
  dirs.pagesDir === undefined ? null : resolve(dirs.pagesDir);

/**
 * The entries of the index in `cacheDir` if it was written by this content code (its
 * fingerprint) for these folders; none otherwise. Never throws.
 */
export async function readSiteIndex(cacheDir: string, dirs: IndexDirs): Promise<ReadIndex> {
  const path = join(cacheDir, INDEX_FILE);
  const none = (warning?: string): ReadIndex => ({ entries: [], pages: [], media: [], warning });
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return none();
    return none(`cannot read the site index ${path}: ${code ?? String(error)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return none(`the site index ${path} is corrupt (${(error as Error).message}): rebuilding it`);
  }
  const index = data as Partial<IndexFile> | null;
  if (index?.format !== FORMAT || index.fingerprint !== contentFingerprint()) {
    return none(`the site index ${path} was written by another version of Quire: rebuilding it`);
  }
  // Another blog's cache: start afresh.
  if (index.postsDir !== resolve(dirs.postsDir) || index.pagesDir !== pagesDirOf(dirs))
    return none();
  if (
    !Array.isArray(index.entries) ||
    !index.entries.every(isPostEntry) ||
    !Array.isArray(index.pages) ||
    !index.pages.every(isEntry) ||
    !Array.isArray(index.media) ||
    !index.media.every(isMediaEntry)
  ) {
    return none(`the site index ${path} is corrupt: rebuilding it`);
  }
  const theme = isThemeEntry(index.theme) ? index.theme : undefined;
  return { entries: index.entries, pages: index.pages, media: index.media, theme };
}

/**
 * Writes the index; resolves to an error message when it cannot be written (read-only cache,
 * full disk): the site still serves, the next start validates again.
 */
export function writeSiteIndex(
  cacheDir: string,
  dirs: IndexDirs,
  entries: readonly IndexEntry[],
  pages: readonly PageEntry[],
  media: readonly MediaEntry[],
  theme: ThemeEntry | undefined,
): string | undefined {
  const path = join(cacheDir, INDEX_FILE);
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const index: IndexFile = {
    format: FORMAT,
    fingerprint: contentFingerprint(),
    postsDir: resolve(dirs.postsDir),
    pagesDir: pagesDirOf(dirs),
    entries: [...entries],
    pages: [...pages],
    media: [...media],
    theme: theme ?? null,
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
function isPostEntry(value: unknown): value is IndexEntry {
  const fm = (value as Partial<IndexEntry> | null)?.frontMatter;
  return (
    isEntry(value) &&
    typeof fm?.date === 'string' &&
    Array.isArray(fm.tags) &&
    Array.isArray(fm.aliases) &&
    Array.isArray(fm.authors)
  );
}

/** What posts' and pages' entries share. */
function isEntry(value: unknown): value is PageEntry {
  const entry = value as Partial<PageEntry> | null;
  const fm = entry?.frontMatter;
  return (
    typeof entry?.path === 'string' &&
    typeof entry.bodyKey === 'string' &&
    typeof entry.source?.size === 'number' &&
    typeof entry.source.mtimeMs === 'number' &&
    typeof entry.source.hash === 'string' &&
    typeof fm?.title === 'string' &&
    typeof fm.slug === 'string' &&
    typeof entry.wordCount === 'number' &&
    typeof entry.firstParagraph === 'string' &&
    Array.isArray(entry.warnings) &&
    Array.isArray(entry.links) &&
    Array.isArray(entry.files) &&
    typeof entry.fieldLines === 'object'
  );
}

function isMediaEntry(value: unknown): value is MediaEntry {
  const entry = value as Partial<MediaEntry> | null;
  return (
    typeof entry?.path === 'string' &&
    typeof entry.source?.size === 'number' &&
    typeof entry.source.mtimeMs === 'number' &&
    typeof entry.source.hash === 'string' &&
    Array.isArray(entry.variants) &&
    (entry.image === undefined || typeof entry.image.format === 'string')
  );
}

/** A theme entry that is not this shape is read again from the stylesheet. */
function isThemeEntry(value: unknown): value is ThemeEntry {
  const entry = value as Partial<ThemeEntry> | null | undefined;
  return (
    typeof entry?.stylesheet === 'string' &&
    typeof entry.source?.hash === 'string' &&
    typeof entry.read === 'object' &&
    ('colours' in entry.read || 'problem' in entry.read)
  );
}
