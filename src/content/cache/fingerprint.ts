/**
 * A hash that changes whenever the renderer's output could change, so the render cache never
 * serves HTML made by another version: the versions of the libraries that shape the output,
 * the Shiki themes, and the source of the Markdown and highlighting code (`.ts` when run from
 * source, `.js` in `dist/`). Computed once per process.
 */
import { createHash, type Hash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { THEMES } from '../highlight/themes.ts';

/**
 * Besides the five we use directly: the slugger behind heading ids, Shiki's tokenizer and regex
 * translator, and the HTML parser behind both sanitize-html and entity decoding.
 */
const PACKAGES: ReadonlyArray<readonly [string, string?]> = [
  ['marked'],
  ['marked-gfm-heading-id'],
  ['github-slugger', 'marked-gfm-heading-id'],
  ['marked-footnote'],
  ['shiki'],
  ['@shikijs/vscode-textmate', 'shiki'],
  ['@shikijs/engine-javascript', 'shiki'],
  ['oniguruma-to-es', '@shikijs/engine-javascript'],
  ['sanitize-html'],
  ['htmlparser2', 'sanitize-html'],
  ['entities'],
];

const here = dirname(fileURLToPath(import.meta.url));
const contentDir = dirname(here);
/** The code whose every byte can change a rendered body. */
const RENDERER_DIRS = ['markdown', 'highlight'];

let fingerprint: string | undefined;

export function rendererFingerprint(): string {
  if (fingerprint === undefined) {
    const hash = createHash('sha256');
    hashPackageVersions(hash, PACKAGES, here);
    hash.update(`themes ${THEMES.light} ${THEMES.dark}\n`);
    for (const stage of RENDERER_DIRS) hashSources(hash, join(contentDir, stage));
    fingerprint = hash.digest('hex').slice(0, 32);
  }
  return fingerprint;
}

/** What front matter validation runs on, besides Quire's own code. */
const VALIDATION_PACKAGES: ReadonlyArray<readonly [string, string?]> = [['yaml'], ['zod']];
let content: string | undefined;

/**
 * The site index's version: the renderer's fingerprint, the YAML and schema libraries, and every
 * module of the content code, so that after an upgrade a post the new code rejects is found at
 * the next start, with its `file:line` problem, instead of being trusted.
 */
export function contentFingerprint(): string {
  if (content === undefined) {
    const hash = createHash('sha256').update(rendererFingerprint()).update('\n');
    hashPackageVersions(hash, VALIDATION_PACKAGES, here);
    hashSources(hash, contentDir, true);
    content = hash.digest('hex').slice(0, 32);
  }
  return content;
}

/**
 * Adds `name@version` of each installed package: [package, package whose dependency it is],
 * a dependent listed before its dependency; the first are found from `from`.
 */
export function hashPackageVersions(
  hash: Hash,
  packages: ReadonlyArray<readonly [string, string?]>,
  from: string,
): void {
  const dirs = new Map<string, string>();
  for (const [name, parent] of packages) {
    const start = parent === undefined ? from : dirs.get(parent);
    if (start === undefined) throw new Error(`list ${parent} before ${name}`);
    const dir = findPackageDir(name, start);
    dirs.set(name, dir);
    const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      version: string;
    };
    hash.update(`${name}@${version}\n`);
  }
}

/** Adds the name and bytes of every module in `dir` (and its sub-folders, with `recursive`). */
export function hashSources(hash: Hash, dir: string, recursive = false): void {
  const sources = readdirSync(dir, { recursive })
    .map(String)
    .filter((file) => /\.(?:ts|js)$/.test(file) && !file.endsWith('.d.ts'))
    .sort();
  for (const file of sources) {
    hash
      .update(`${file}\n`)
      .update(readFileSync(join(dir, file)))
      .update('\n');
  }
}

/**
 * The directory of an installed package, found the way Node finds it: `node_modules/<name>` in
 * `from` or the nearest ancestor. Not `require('<name>/package.json')`: it throws for packages
 * whose `exports` do not expose it (marked-gfm-heading-id, sanitize-html's dependencies).
 * `realpath` follows pnpm-style symlinks, so a dependency is looked up next to its dependent.
 */
function findPackageDir(name: string, from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) throw new Error(`Cannot find package ${name} from ${from}`);
  }
}
