/**
 * Finds every `*.md` file under the posts directory (sub-folders included), and every other file
 * there, which posts may show or link to (issue #18), without reading them. A missing or
 * unreadable directory is a clear, fatal error; a missing pages directory is a blog without
 * standalone pages.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export class PostsDirectoryError extends Error {
  override name = 'PostsDirectoryError';
}

const REASONS = new Map([
  ['ENOENT', 'it does not exist'],
  ['ENOTDIR', 'it is not a directory'],
  ['EACCES', 'permission denied'],
]);

/**
 * Paths relative to `postsDir`, with `/` between folders, sorted: the posts, and the other files
 * (not hidden ones, nor those in hidden folders: `.DS_Store`, an editor's swap files, `.git/`).
 */
export async function discoverPosts(
  postsDir: string,
): Promise<{ posts: string[]; files: string[] }> {
  return discover(postsDir, 'posts', false);
}

/** The pages (issue #18) under the pages directory, which need not exist, in the same way. */
export async function discoverPages(pagesDir: string): Promise<string[]> {
  return (await discover(pagesDir, 'pages', true)).posts;
}

async function discover(
  dir: string,
  what: string,
  optional: boolean,
): Promise<{ posts: string[]; files: string[] }> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    if (optional && reason === 'ENOENT') return { posts: [], files: [] };
    const why = REASONS.get(reason) ?? reason;
    throw new PostsDirectoryError(`cannot read the ${what} directory "${dir}": ${why}`);
  }
  const posts: string[] = [];
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.isDirectory()) continue;
    const path = relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/');
    if (entry.name.endsWith('.md')) posts.push(path);
    else if (!path.split('/').some((part) => part.startsWith('.'))) files.push(path);
  }
  return { posts: posts.sort(), files: files.sort() };
}
