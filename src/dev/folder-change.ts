/**
 * A watcher event that names no `.md` file may be a folder of posts moved in or out, or
 * deleted: a `rename` out of the watched tree, or into it, is one event naming only the folder
 * (inotify reports nothing for the files inside). The posts affected are the ones known under
 * that path and the ones on disk there now; each is then updated like an edited file, which
 * adds it or finds it gone. An event for anything else (an image, an editor's swap file) finds
 * none of either, and does nothing.
 */
import { readdir } from 'node:fs/promises';
import { join, sep } from 'node:path';

export async function postsUnder(folder: string, known: readonly string[]): Promise<string[]> {
  const inside = known.filter((file) => file.startsWith(folder + sep));
  const present = await readdir(folder, { recursive: true }).then(
    (names) => names.filter((name) => name.endsWith('.md')).map((name) => join(folder, name)),
    () => [], // gone, or not a folder
  );
  return [...new Set([...inside, ...present])].sort();
}
