/**
 * Finds every `*.md` file under the posts directory (sub-folders included), without reading
 * them. A missing or unreadable directory is a clear, fatal error; a missing pages directory is
 * a blog without standalone pages.
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
  return discover(postsDir, 'posts', false);
}

/** The same for the pages directory (issue #18), which need not exist. */
export async function discoverPages(pagesDir: string): Promise<string[]> {
  return discover(pagesDir, 'pages', true);
}

async function discover(dir: string, what: string, optional: boolean): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir, { recursive: true });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    if (optional && reason === 'ENOENT') return [];
    const why = REASONS.get(reason) ?? reason;
    throw new PostsDirectoryError(`cannot read the ${what} directory "${dir}": ${why}`);
  }
  return names
    .filter((name) => name.endsWith('.md'))
    .map((name) => name.split(sep).join('/'))
    .sort();
}
