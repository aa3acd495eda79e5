/**
 * Reading a static export the way a static host does (README, "Static export"), written here
 * from the hosts' rules rather than taken from src/export/: each file's address, and which file
 * answers an address (nginx `try_files $uri $uri.html $uri/index.html`). Not a test file itself.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Every file under `dir`, `/`-separated and relative to it, dotfiles included. */
export async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split('\\').join('/'))
    .sort();
}

/** Path → bytes of every file under `dir`. */
export async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const file of await filesIn(dir)) files.set(file, await readFile(join(dir, file)));
  return files;
}

const encode = (path: string) => path.split('/').map(encodeURIComponent).join('/');

/**
 * The address a static host serves a file at: `x/index.html` at `/x/`, `x.html` at `/x` (Netlify,
 * Cloudflare Pages), anything else at its own path; percent-encoded as links write it.
 */
export function addressOf(file: string): string {
  if (file === 'index.html' || file.endsWith('/index.html'))
    return `/${encode(file.slice(0, -'index.html'.length))}`;
  if (file.endsWith('.html')) return `/${encode(file.slice(0, -'.html'.length))}`;
  return `/${encode(file)}`;
}

/** The file nginx's `try_files $uri $uri.html $uri/index.html` answers `url` with, if any. */
export function tryFiles(files: ReadonlySet<string>, url: string): string | undefined {
  const path = decodeURIComponent(new URL(url, 'http://host').pathname).slice(1);
  const candidates = path === '' || path.endsWith('/') ? [] : [path, `${path}.html`];
  candidates.push(`${path}${path === '' || path.endsWith('/') ? '' : '/'}index.html`);
  return candidates.find((file) => files.has(file));
}
