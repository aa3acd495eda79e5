/**
 * Finds every `*.md` file under the posts directory (sub-folders included)
 * and reads it. A missing or unreadable directory is a clear, fatal error.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SourceFile {
  /** The path shown in messages, e.g. `posts/hello.md`. */
  file: string;
  source: string;
}

export class PostsDirectoryError extends Error {
  override name = 'PostsDirectoryError';
}

export async function discoverPosts(postsDir: string): Promise<SourceFile[]> {
  let names: string[];
  try {
    names = await readdir(postsDir, { recursive: true });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    const why =
      reason === 'ENOENT'
        ? 'it does not exist'
        : reason === 'ENOTDIR'
          ? 'it is not a directory'
          : reason === 'EACCES'
            ? 'permission denied'
            : reason;
    throw new PostsDirectoryError(`cannot read the posts directory "${postsDir}": ${why}`);
  }
  const files = names.filter((name) => name.endsWith('.md')).sort();
  return Promise.all(
    files.map(async (name) => {
      const file = join(postsDir, name);
      return { file, source: await readFile(file, 'utf8') };
    }),
  );
}
