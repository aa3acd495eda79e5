/**
 * What the loader knows of one post or page file, and how a file is read into it: trusted from
 * the site index when its size and modification time agree, else read, hashed and, when its
 * content is new, validated (its kind's `parse`, source-kinds.ts) and queued for rendering.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { bodyKey } from '../cache/body-store.ts';
import type { IndexEntry, SourceStamp, StoredFrontMatter } from '../cache/site-index.ts';
import { type FileLink, type InternalLink, scanLinks } from '../source/internal-links.ts';
import type { RenderJob } from '../render/pool.ts';
import type { ContentProblem, Page, Post } from '../types.ts';
import type { SourceFields, SourceKind } from './source-kinds.ts';

export interface FileState<F extends SourceFields = StoredFrontMatter> {
  /** Relative to its folder (posts or pages), `/` between folders. */
  path: string;
  /** As messages show it. */
  file: string;
  stamp: SourceStamp;
  /** The current version if its front matter is valid; its body facts once rendered. */
  current?: IndexEntry<F> | undefined;
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
  good?: IndexEntry<F> | undefined;
  /** The site model of `good`, made when first asked for. */
  model?: Post | Page | undefined;
}

export interface ReadOptions<F extends SourceFields> {
  /** Its index entry, trusted without reading the file when size and mtime agree. */
  known?: IndexEntry<F> | undefined;
  /** Its state so far, returned as is when the content did not change. */
  previous?: FileState<F> | undefined;
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

/** The state of the file at `path` of `dir` now, or undefined when there is none. */
export async function readFileState<F extends SourceFields, M>(
  dir: string,
  path: string,
  kind: SourceKind<F, M>,
  { known, previous }: ReadOptions<F>,
): Promise<FileState<F> | undefined> {
  const file = join(dir, path);
  const read = await readStamp(file, known?.source);
  if (!read) return undefined;
  const { stamp, bytes } = read;
  if (!bytes) return settled(path, file, known as IndexEntry<F>);
  if (previous && previous.stamp.hash === stamp.hash) return previous;
  if (known && known.source.hash === stamp.hash)
    return settled(path, file, { ...known, source: stamp });

  const source = bytes.toString('utf8');
  const parsed = await kind.parse(file, source);
  const kept = { good: previous?.good, model: previous?.model };
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
  const { cover } = frontMatter as { cover?: { src: string } | undefined };
  // A post's cover is one more file it shows, checked and served like the others.
  if (cover) files.push({ target: cover.src, line: fieldLines.cover ?? 1, image: true });
  const current: IndexEntry<F> = {
    path,
    source: stamp,
    frontMatter,
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
export function settled<F extends SourceFields>(
  path: string,
  file: string,
  entry: IndexEntry<F>,
): FileState<F> {
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
