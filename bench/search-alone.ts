/**
 * The search floor (issue #19), in a process of its own (floors.ts runs it): the CPU time of one
 * query, in-process, with no HTTP, measured two ways over the same posts and the same queries,
 * under the serving process's runtime settings (serving-runtime.ts):
 *
 * - minisearch alone: a plain index made with search-index.ts's options (`newMiniSearch`) over
 *   the same documents (`searchDocument`), asked `search(words)` as Quire asks it, no filter: the
 *   least a search can cost with this library on this corpus;
 * - Quire's query step: search-page.ts's `results` (parse, search, the visible posts, the page of
 *   hits, snippets), the span quire_search_duration_seconds times in the server.
 *
 * Both must find the same posts for every query (`sameMatches`), else this is not the floor of
 * Quire's search. The two alternate query by query, `ROUNDS` times over; a query's figure is the median of its
 * rounds, read from `process.cpuUsage` (user + system), so other work on the machine weighs
 * little. The posts must be rendered (a filled CACHE_DIR) by the same build, `--code`: Quire's
 * code as run from source, or as built into dist/ (whose render cache is not the source's). Prints
 * JSON.
 *
 *   node bench/search-alone.ts --posts-dir D [--pages-dir P] --cache-dir C --queries-file F
 *                              [--code src | dist]
 *
 * `--pages-dir` as the server that rendered the cache had it (PAGES_DIR): the site index is only
 * taken for the same folders.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type * as Query from '../src/content/search/query.ts';
import type * as SearchIndex from '../src/content/search/search-index.ts';
import type * as Published from '../src/content/site/published.ts';
import type * as Loader from '../src/content/site/site-loader.ts';
import type * as SearchPage from '../src/http/pages/search-page.ts';

const ROUNDS = 5;
const WARM_UP = 10;

const { values } = parseArgs({
  options: {
    'posts-dir': { type: 'string' },
    'pages-dir': { type: 'string' },
    'cache-dir': { type: 'string' },
    'queries-file': { type: 'string' },
    code: { type: 'string', default: 'src' },
  },
});
const postsDir = values['posts-dir'];
const pagesDir = values['pages-dir'];
const cacheDir = values['cache-dir'];
const queriesFile = values['queries-file'];
if ([postsDir, cacheDir, queriesFile].includes(undefined)) {
  process.stderr.write(
    'usage: search-alone.ts --posts-dir D [--pages-dir P] --cache-dir C --queries-file F\n',
  );
  process.exit(2);
}
const queries = JSON.parse(await readFile(queriesFile as string, 'utf8')) as string[];

// The modules of the build that rendered the cache: its index and bodies are that build's.
const code = values.code === 'dist' ? { dir: 'dist', ext: 'js' } : { dir: 'src', ext: 'ts' };
const module = async <T>(path: string) =>
  (await import(new URL(`../${code.dir}/${path}.${code.ext}`, import.meta.url).href)) as T;
const { parseQuery } = await module<typeof Query>('content/search/query');
const { newMiniSearch, searchDocument } = await module<typeof SearchIndex>(
  'content/search/search-index',
);
const { publishedView } = await module<typeof Published>('content/site/published');
const { SiteLoader } = await module<typeof Loader>('content/site/site-loader');
const { createSearch } = await module<typeof SearchPage>('http/pages/search-page');

const loader = new SiteLoader({
  postsDir: postsDir as string,
  pagesDir,
  cacheDir: cacheDir as string,
});
// The cache's index as its build wrote it; else validated again (the bodies are still those of
// the cache, as long as the renderer's code is the same).
if (!(await loader.open())) await loader.load();
const site = loader.site({ title: 'bench', url: 'http://quire.bench' });
const view = publishedView(site, new Date());

const posts = site.posts.filter((post) => !post.draft);
const alone = newMiniSearch();
for (const [id, post] of posts.entries()) {
  alone.add(searchDocument(id, post, (await site.body(post)).html));
}
const quire = createSearch({ info: () => undefined }, undefined);

const cpuMs = async (work: () => unknown) => {
  const before = process.cpuUsage();
  await work();
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1000;
};
const floor = (query: string) => alone.search(parseQuery(query).words.join(' ')).length;
const step = (query: string) => quire.results(site, view, query, 1);

for (const query of queries.slice(0, WARM_UP)) {
  floor(query);
  await step(query); // the first builds Quire's index
}
const floorRuns: number[][] = queries.map(() => []);
const quireRuns: number[][] = queries.map(() => []);
for (let round = 0; round < ROUNDS; round++) {
  for (const [i, query] of queries.entries()) {
    floorRuns[i]?.push(await cpuMs(() => floor(query)));
    quireRuns[i]?.push(await cpuMs(() => step(query)));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
const round2 = (value: number) => Math.round(value * 100) / 100;
const summary = (runs: number[][]) => {
  const perQuery = runs.map(median).sort((a, b) => a - b);
  const at = (p: number) => perQuery[Math.ceil((p / 100) * perQuery.length) - 1] ?? 0;
  const mean = perQuery.reduce((a, b) => a + b, 0) / perQuery.length;
  return { p50CpuMs: round2(at(50)), p95CpuMs: round2(at(95)), meanCpuMs: round2(mean) };
};
const matches = queries.map(floor);
// The floor is only that of Quire's search if both find the same posts for every query.
const totals = await Promise.all(queries.map(async (query) => (await step(query))?.total));
const sameMatches = matches.every((count, i) => count === totals[i]);
process.stdout.write(
  `${JSON.stringify({
    posts: posts.length,
    queries: queries.length,
    rounds: ROUNDS,
    medianMatches: median(matches),
    sameMatches,
    minisearchAlone: summary(floorRuns),
    quireQueryStep: summary(quireRuns),
  })}\n`,
);
