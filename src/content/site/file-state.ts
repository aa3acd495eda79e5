/**
 * What the loader knows of one post file, and how a file is read into it: trusted from the site
 * index when its size and modification time agree, else read, hashed and, when its content is
 * new, validated (front-matter.ts) and queued for rendering.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { bodyKey } from '../cache/body-store.ts';
import type { IndexEntry, SourceStamp } from '../cache/site-index.ts';
import { type FileLink, type InternalLink, scanLinks } from '../source/internal-links.ts';
import { storedFrontMatter } from './post.ts';
import type { RenderJob } from '../render/pool.ts';
import type { ContentProblem, Post } from '../types.ts';

export interface FileState {
  /** Relative to the posts directory, `/` between folders. */
  path: string;
  /** As messages show it. */
  file: string;
  stamp: SourceStamp;
  /** The current version if its front matter is valid; its body facts once rendered. */
  current?: IndexEntry | undefined;
  /** Whether this version was read and validated (not taken from the index). */
  parsed?: boolean;
  /** Set while `current` still has to be rendered. */
  job?: RenderJob | undefined;
  parseProblems: ContentProblem[];
  /** Parse problems, clashes, a failed render. */
  problems: ContentProblem[];
  /**
   * The links and files of a version whose front matter is wrong, so that `npm run check` reports
   * them in the same run (issue #19) and a missing file is a problem of it too (issue #18).
   */
  links?: InternalLink[] | undefined;
  files?: FileLink[] | undefined;
  /** The last rendered version without a problem: what is served. */
  good?: IndexEntry | undefined;
  post?: Post | undefined;
}

export interface ReadOptions {
  /** Its index entry, trusted without reading the file when size and mtime agree. */
  known?: IndexEntry | undefined;
  /** Its state so far, returned as is when the content did not change. */
  previous?: FileState | undefined;
}

/**
 * A file's stamp: `known` itself while the file's size and modification time agree (nothing is
 * read), else the file is read and hashed; undefined when there is no such file.
 */
export async function readStamp(
  file: string,
  known?: SourceStamp,
): Promise<{ stamp: SourceStamp; bytes?: Buffer } | undefined> {
  let size: number;
  let mtimeMs: number;
  let bytes: Buffer;
  try {
    const stats = await stat(file);
    if (!stats.isFile()) return undefined;
    ({ size, mtimeMs } = stats);
    if (known?.size === size && known.mtimeMs === mtimeMs) return { stamp: known };
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  // Changed between the stat and the read: an mtime that matches nothing re-reads it next time.
  const stamp: SourceStamp = {
    size: bytes.length,
    mtimeMs: bytes.length === size ? mtimeMs : -1,
    hash: createHash('sha256').update(bytes).digest('base64url'),
  };
  return { stamp, bytes };
}

/** The state of the post at `path` now, or undefined when there is none. */
export async function readFileState(
  postsDir: string,
  path: string,
  { known, previous }: ReadOptions,
): Promise<FileState | undefined> {
  const file = join(postsDir, path);
  const read = await readStamp(file, known?.source);
  if (!read) return undefined;
  const { stamp, bytes } = read;
  if (!bytes) return settled(path, file, known as IndexEntry);
  if (previous && previous.stamp.hash === stamp.hash) return previous;
  if (known && known.source.hash === stamp.hash)
    return settled(path, file, { ...known, source: stamp });

  const source = bytes.toString('utf8');
  // Loaded only now: a start whose posts are all in the index never loads the YAML parser.
  const { parsePost } = await import('../source/front-matter.ts');
  const parsed = parsePost(file, source);
  const kept = { good: previous?.good, post: previous?.post };
  if (!parsed.ok) {
    const { problems, body } = parsed;
    const scanned = body && scanLinks(body.text, body.line);
    const { links, files } = scanned ?? { links: undefined, files: undefined };
    return {
      path,
      file,
      stamp,
      parsed: true,
      parseProblems: problems,
      problems,
      links,
      files,
      ...kept,
    };
  }
  const { frontMatter, body, bodyLine, fieldLines } = parsed.post;
  const { links, files } = scanLinks(body, bodyLine);
  const { cover } = frontMatter;
  // The cover is one more file the post shows, checked and served like the others.
  if (cover) files.push({ target: cover.src, line: fieldLines.cover ?? 1, image: true });
  const current: IndexEntry = {
    path,
    source: stamp,
    frontMatter: storedFrontMatter(frontMatter),
    fieldLines: { ...fieldLines },
    links,
    files,
    bodyKey: bodyKey(source),
    firstParagraph: '',
    wordCount: 0,
    warnings: [],
  };
  const job = { file, body, bodyLine };
  return {
    path,
    file,
    stamp,
    current,
    parsed: true,
    job,
    parseProblems: [],
    problems: [],
    ...kept,
  };
}

/** A file whose index entry is its current version. */
export function settled(path: string, file: string, entry: IndexEntry): FileState {
  return {
    path,
    file,
    stamp: entry.source,
    current: entry,
    parseProblems: [],
    problems: [],
    good: entry,
  };
}
