/**
 * A post may show or link to a file beside it, `![A photo](photo.jpg)` or `[the slides](talk.pdf)`,
 * resolved against the post's folder like a relative link on GitHub (issue #18). The renderer
 * marks such an `<img>` or `<a>` with `FILE_ATTRIBUTE`, carrying the target as written, and
 * the content layer puts in the file's final markup when a body is read (media/media-markup.ts):
 * so a body never depends on an image's bytes, and a changed image re-renders no body.
 */
import { posix } from 'node:path';

/** The attribute marking a post file in rendered HTML; only the sanitizer ever writes it. */
export const FILE_ATTRIBUTE = 'data-quire-file';

/** A scheme (`https:`, `mailto:`), a root path, a fragment or query alone, a post's `.md` file. */
const NOT_A_FILE = /^(?:[a-z][a-z0-9+.-]*:|[/\\#?])|\.md(?:[?#]|$)/i;

export interface FileTarget {
  /** The file's path relative to the post's folder, percent-decoded. */
  path: string;
  /** The query and fragment, as written (`#page=2` of a PDF). */
  suffix: string;
}

/** The post file a link or image target names, or undefined when it names something else. */
export function fileTarget(target: string): FileTarget | undefined {
  const trimmed = target.trim();
  if (trimmed === '' || NOT_A_FILE.test(trimmed)) return undefined;
  const end = trimmed.search(/[?#]/);
  const raw = end === -1 ? trimmed : trimmed.slice(0, end);
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    path = raw;
  }
  return { path, suffix: end === -1 ? '' : trimmed.slice(end) };
}

/**
 * The path, relative to the posts folder, of the file `target` names in the post at `postPath`
 * (also relative to it); undefined when it is not a file reference or lies outside the folder.
 */
export function resolveFile(postPath: string, target: string): string | undefined {
  const file = fileTarget(target);
  if (!file) return undefined;
  const path = posix.normalize(posix.join(posix.dirname(postPath), file.path));
  return path === '..' || path.startsWith('../') || posix.isAbsolute(path) ? undefined : path;
}
