/**
 * Content-hashed names for the theme's static files (issue #3, "HTTP caching"): `style.css` is
 * also served as `style.<hash>.css`, the name pages link to (the `asset()` template function),
 * so a changed file is a new name (cache policies: assets.ts). The folder is read once, at
 * startup: a running server's theme does not change (the dev server links to plain names).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';

export interface AssetManifest {
  /**
   * The URL path pages should use for `name` (relative to the assets folder, e.g. `style.css`).
   * Throws, naming the file and folder, when there is no such asset: a typo in a template
   * fails at startup instead of serving a page with a broken link.
   */
  url: (name: string) => string;
  /** The file behind a hashed name (`style.1a2b3c4d5e.css` -> `style.css`), if it is one. */
  fileOf: (hashedName: string) => string | undefined;
  /** Every asset's URL path as pages link to it, for `npm run export`. */
  urls: () => string[];
}

const HASH_LENGTH = 10;

/** Every file under `dir`, as `/`-separated paths relative to it; dotfiles are never served. */
function listFiles(dir: string, prefix = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...listFiles(dir, path));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/**
 * Reads and hashes every file in `dir`. With `hashed: false` (the dev server, whose theme
 * changes under it) `url()` gives plain names, which are revalidated on every load.
 */
export function loadAssetManifest(dir: string, { hashed = true } = {}): AssetManifest {
  let files: string[];
  try {
    files = listFiles(dir);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot read the theme's assets folder ${dir} (TEMPLATES_DIR): ${reason}`, {
      cause: error,
    });
  }
  const hashedOf = new Map<string, string>();
  const fileOf = new Map<string, string>();
  for (const file of files) {
    const hash = createHash('sha256')
      .update(readFileSync(join(dir, file)))
      .digest('hex');
    const ext = extname(file);
    // `dir/name.ext` -> `dir/name.<hash>.ext`
    const name = `${file.slice(0, file.length - ext.length)}.${hash.slice(0, HASH_LENGTH)}${ext}`;
    hashedOf.set(file, name);
    fileOf.set(name, file);
  }
  const url = (name: string) => {
    const hashedName = hashedOf.get(name);
    if (hashedName === undefined) {
      throw new Error(`asset("${name}"): no file ${name} in ${dir}`);
    }
    return `/assets/${hashed ? hashedName : name}`;
  };
  return {
    url,
    fileOf: (hashedName) => fileOf.get(hashedName),
    urls: () => [...hashedOf.keys()].map(url),
  };
}
