/**
 * `npm run new -- "Title"`: starts a draft post in the posts directory and prints its path.
 * Never overwrites a file. Exit 0 on success, 1 when the post cannot be created, 2 on bad usage.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { ConfigError } from '../config.ts';
import { SLUG_PATTERN } from '../content/source/front-matter-schema.ts';
import { environmentConfig, fail } from './shared.ts';

const USAGE = 'usage: npm run new -- [--posts-dir DIR] "Title of the post"';
// Long titles make unwieldy addresses and file names; cut at a word boundary.
const MAX_SLUG = 80;

const BODY = `
Write the post here, in Markdown. It is a draft: set \`draft: false\` when it is ready.
Run \`npm run check\` to find problems in every post without starting Quire.
`;

/** Lowercase ASCII letters and digits joined by single hyphens; "" when nothing is left. */
function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '') // accents, split off by NFKD: "é" → "e" + U+0301
    .toLowerCase()
    .replace(/['’]/g, '') // "it's" → "its", not "it-s"
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= MAX_SLUG) return slug;
  const cut = slug.slice(0, MAX_SLUG + 1);
  return cut
    .slice(0, cut.lastIndexOf('-') > 0 ? cut.lastIndexOf('-') : MAX_SLUG)
    .replace(/-+$/, '');
}

/** Today as `YYYY-MM-DD` in UTC: a bare date means midnight UTC to Quire. */
const today = () => new Date().toISOString().slice(0, 10);

function newPostSource(title: string, date: string): string {
  // `yaml` quotes what needs it: a title with ": " or quotes stays a string.
  return `---\n${stringify({ title, date, tags: [], draft: true })}---\n${BODY}`;
}

async function main(argv: readonly string[]): Promise<number> {
  let values: { 'posts-dir'?: string | undefined };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: [...argv],
      options: { 'posts-dir': { type: 'string' } },
      strict: true,
      allowPositionals: true,
    }));
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`, 2);
  }
  if (positionals.length !== 1) return fail(`give the title as one argument\n${USAGE}`, 2);
  const title = (positionals[0] ?? '').trim();
  if (title === '') return fail('the title is empty', 1);
  const slug = slugify(title);
  if (!SLUG_PATTERN.test(slug))
    return fail(`cannot make a file name from "${title}": it needs letters or digits`, 1);

  // The site file does not matter here: its problems are `npm run check`'s to report.
  const settings = values['posts-dir'] === undefined ? environmentConfig() : undefined;
  if (settings instanceof ConfigError) return fail(settings.message, 2);
  const postsDir = values['posts-dir'] ?? settings?.config.postsDir ?? '';
  const file = join(postsDir, `${slug}.md`);
  try {
    // `wx`: the existence check and the write are one step, so nothing is ever overwritten.
    await writeFile(file, newPostSource(title, today()), { flag: 'wx' });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return fail(`${file} already exists: choose another title`, 1);
    if (code === 'ENOENT')
      return fail(`cannot write ${file}: the posts directory "${postsDir}" does not exist`, 1);
    return fail(`cannot write ${file}: ${(error as Error).message}`, 1);
  }
  process.stdout.write(`${file}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
