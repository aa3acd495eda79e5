/**
 * The folder an export writes into (issue #18). It must be new, empty, or one an export wrote
 * (it holds the marker file, which lists that export's files), unless `--force`: an export never
 * mixes its files into a folder it did not make. Writing again over an export deletes the files
 * the last one wrote that this one does not (a post removed since), and nothing else, so files
 * someone added beside an export, or that were there before a `--force`, are left alone.
 */
import { mkdir, readdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';

export const MARKER_FILE = '.quire-export';

/** The folder cannot be written into. The message names it and says what to do. */
export class ExportDirError extends Error {
  override name = 'ExportDirError';
}

/** Reads the files an earlier export listed in `dir`'s marker; only paths inside `dir` count. */
async function previousFiles(dir: string): Promise<string[]> {
  let files: unknown;
  try {
    files = (JSON.parse(await readFile(join(dir, MARKER_FILE), 'utf8')) as { files?: unknown })
      .files;
  } catch {
    return []; // unreadable: the folder is still an export's, but nothing is known to delete
  }
  const root = resolve(dir) + sep;
  return Array.isArray(files)
    ? files.filter(
        (file): file is string => typeof file === 'string' && resolve(dir, file).startsWith(root),
      )
    : [];
}

/**
 * Makes sure the export may write into `dir`, creating it if needed; returns the files the
 * export before this one wrote there (none for a new or foreign folder).
 */
export async function claimExportDir(dir: string, force: boolean): Promise<string[]> {
  const found = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new ExportDirError(`cannot use ${dir} for the export: ${error.message}`);
  });
  if (found === undefined) {
    await mkdir(dir, { recursive: true }).catch((error: Error) => {
      throw new ExportDirError(`cannot create ${dir} for the export: ${error.message}`);
    });
    return [];
  }
  if (!found.isDirectory()) throw new ExportDirError(`${dir} is not a folder`);
  const names = await readdir(dir);
  if (names.includes(MARKER_FILE)) return previousFiles(dir);
  if (names.length > 0 && !force)
    throw new ExportDirError(
      `${dir} is not empty and no export wrote it (it has no ${MARKER_FILE}): ` +
        `export into a new or empty folder, or add --force to write into this one anyway`,
    );
  return [];
}

/** Deletes what the last export wrote and this one did not, then lists this one's files. */
export async function finishExportDir(
  dir: string,
  previous: readonly string[],
  written: readonly string[],
): Promise<void> {
  const kept = new Set(written);
  try {
    for (const file of previous) {
      if (kept.has(file)) continue;
      await rm(join(dir, file), { force: true });
      // Its folders too, once empty (a tag with no post left), up to the export itself.
      for (let folder = dirname(file); folder !== '.'; folder = dirname(folder)) {
        const removed = await rmdir(join(dir, folder)).then(
          () => true,
          () => false,
        );
        if (!removed) break;
      }
    }
    const marker = { generator: 'quire export (npm run export)', files: [...written].sort() };
    await writeFile(join(dir, MARKER_FILE), `${JSON.stringify(marker, null, 1)}\n`);
  } catch (error) {
    throw new ExportDirError(`cannot finish the export in ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
