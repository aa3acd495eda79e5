/**
 * Finds every `*.md` file under the posts directory (sub-folders included), without reading
 * them. A missing or unreadable directory is a clear, fatal error.
 */
import { readdir } from 'node:fs/promises';
import { sep } from 'node:path';

export class PostsDirectoryError extends Error {
  override name = 'PostsDirectoryError';
}

const REASONS = new Map([
  ['ENOENT', 'it does not exist'],
  ['ENOTDIR', 'it is not a directory'],
  ['EACCES', 'permission denied'],
]);

/** Paths relative to `postsDir`, with `/` between folders, sorted. */
export async function discoverPosts(postsDir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(postsDir, { recursive: true });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    const why = REASONS.get(reason) ?? reason;
    throw new PostsDirectoryError(`cannot read the posts directory "${postsDir}": ${why}`);
  }
  return names
    .filter((name) => name.endsWith('.md'))
    .map((name) => name.split(sep).join('/'))
    .sort();
}
