import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after } from 'node:test';
import type { LoadReport } from '../../src/content/site/load-report.ts';
import { SiteLoader } from '../../src/content/site/site-loader.ts';
import type { Site } from '../../src/content/types.ts';

/**
 * How many posts the sample blog in `posts/` has (post folders' `index.md` included). Counted,
 * not written down, so adding a post to the documentation does not break the tests that serve it.
 */
export const SAMPLE_POSTS = readdirSync(new URL('../../posts/', import.meta.url), {
  recursive: true,
}).filter((name) => String(name).endsWith('.md')).length;

/** The same for its standalone pages (pages/, issue #18). */
export const SAMPLE_PAGES = readdirSync(new URL('../../pages/', import.meta.url)).filter((name) =>
  name.endsWith('.md'),
).length;

/** A temporary directory removed after the test file. */
export async function tempDir(prefix = 'quire-test-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  // Retries: a server being stopped may still be writing its cache there.
  after(() => rm(dir, { recursive: true, force: true, maxRetries: 5 }));
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

/** The project's theme stylesheet, whose colours the social cards take. */
export const THEME_STYLESHEET = fileURLToPath(
  new URL('../../templates/assets/style.css', import.meta.url),
);

/**
 * The real pipeline's site for a posts directory, as a production start loads it; with `cards`,
 * the posts get social cards (titled `title`, in the colours of the project's theme by default).
 */
export async function loadTestSite(options: {
  postsDir: string;
  pagesDir?: string;
  cacheDir: string;
  title?: string;
  url?: string;
  cards?: { stylesheet?: string };
}): Promise<{ site: Site; report: LoadReport }> {
  const cards = options.cards && {
    siteTitle: options.title ?? 'Test',
    stylesheet: options.cards.stylesheet ?? THEME_STYLESHEET,
  };
  const loader = new SiteLoader({
    postsDir: options.postsDir,
    pagesDir: options.pagesDir,
    cacheDir: options.cacheDir,
    strict: true,
    cards,
  });
  const report = await loader.load();
  const site = loader.site({
    title: options.title ?? 'Test',
    url: options.url ?? 'https://blog.example',
  });
  return { site, report };
}
