import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';

/**
 * How many posts the sample blog in `posts/` has. Counted, not written down,
 * so adding a post to the documentation does not break the tests that serve it.
 */
export const SAMPLE_POSTS = readdirSync(new URL('../../posts/', import.meta.url)).filter((name) =>
  name.endsWith('.md'),
).length;

/** A temporary directory removed after the test file. */
export async function tempDir(prefix = 'quire-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface PostSpec {
  title?: string;
  date?: string;
  extra?: string;
  body?: string;
}

export function postSource({
  title = 'A post',
  date = '2026-01-01',
  extra = '',
  body = 'Hello.\n',
}: PostSpec): string {
  return `---\ntitle: ${JSON.stringify(title)}\ndate: ${date}\n${extra}${extra && !extra.endsWith('\n') ? '\n' : ''}---\n${body}`;
}

/** Writes `{ "name.md": spec }` into `dir`. */
export async function writePosts(
  dir: string,
  posts: Record<string, PostSpec | string>,
): Promise<void> {
  await Promise.all(
    Object.entries(posts).map(([name, spec]) =>
      writeFile(join(dir, name), typeof spec === 'string' ? spec : postSource(spec)),
    ),
  );
}
