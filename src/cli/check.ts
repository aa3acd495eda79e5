/**
 * `npm run check`: validates the site file and every post and page without rendering (front
 * matter, unique slugs and aliases, known authors, links to posts that do not exist, the files
 * beside the posts and their images: issue #18) and prints each problem as `file:line: message`. Exit 0 when everything is fine, 1 when there is a problem
 * or no posts directory, 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../config.ts';
import { defaultSlug } from '../content/markdown/post-file-links.ts';
import { PostsDirectoryError } from '../content/source/discover-posts.ts';
import { SiteLoader, type SiteLoaderOptions } from '../content/site/site-loader.ts';
import { type ContentProblem, formatProblem } from '../content/types.ts';
import { loaderOptions } from '../process/load.ts';
import { environmentConfig, fail, plural } from './shared.ts';

const USAGE = 'usage: npm run check -- [--posts-dir DIR] [--json]';

interface CheckResult {
  posts: number;
  pages: number;
  problems: ContentProblem[];
}

/**
 * The loader's problems (it renders nothing here), its images' problems (it decodes them), and
 * links to posts that do not exist.
 */
async function checkPosts(options: SiteLoaderOptions): Promise<CheckResult> {
  const loader = new SiteLoader({ ...options, render: false, strict: false });
  const { posts, pages } = await loader.load();
  const problems = [...loader.problems(), ...loader.imageWarnings()];
  const claims = loader.claims();
  const known = new Set(claims.flatMap(({ slug, aliases }) => [slug, ...aliases]));
  // A post that did not parse may still be a link's target: assume its file name is its slug
  // rather than report every link to it. Its own problems are reported already.
  const claimed = new Set(claims.map(({ file }) => file));
  for (const { file, kind } of loader.files())
    if (kind === 'post' && !claimed.has(file)) known.add(defaultSlug(file));
  for (const link of loader.links()) {
    if (!known.has(link.slug))
      problems.push({
        file: link.file,
        line: link.line,
        message: `link to unknown post "${link.slug}"`,
      });
  }
  problems.sort(
    (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.message.localeCompare(b.message),
  );
  return { posts, pages, problems };
}

async function main(argv: readonly string[]): Promise<number> {
  let values: { 'posts-dir'?: string | undefined; json?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { 'posts-dir': { type: 'string' }, json: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return fail(`${(error as Error).message}\n${USAGE}`, 2);
  }
  const settings = environmentConfig();
  if (settings instanceof ConfigError) return fail(settings.message, 2);
  const { config, siteFileProblems } = settings;

  let result: CheckResult;
  try {
    result = await checkPosts({
      ...loaderOptions(config),
      postsDir: values['posts-dir'] ?? config.postsDir,
      // With a broken site file its authors are unknown: every post would name unknown ones.
      authors: siteFileProblems.length > 0 ? undefined : Object.keys(config.authors),
    });
  } catch (error) {
    if (error instanceof PostsDirectoryError) return fail(error.message, 1);
    throw error;
  }
  const { posts, pages } = result;
  const problems = [...siteFileProblems, ...result.problems];
  const checked = [plural(posts, 'post')];
  if (pages > 0) checked.push(plural(pages, 'page'));
  if (siteFileProblems.length > 0) checked.push('the site file');
  const what = [checked.slice(0, -1).join(', '), checked.at(-1)].filter(Boolean).join(' and ');
  if (values.json) {
    const ok = problems.length === 0;
    process.stdout.write(`${JSON.stringify({ ok, posts, pages, problems })}\n`);
  } else if (problems.length === 0) {
    process.stdout.write(`${what} OK\n`);
  } else {
    const files = new Set(problems.map((problem) => problem.file)).size;
    const lines = problems.map(formatProblem);
    lines.push(`${plural(problems.length, 'problem')} in ${files} of ${what}`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return problems.length === 0 ? 0 : 1;
}

process.exitCode = await main(process.argv.slice(2));
