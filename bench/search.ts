/**
 * The search step of `npm run bench` (issue #19): how long one search takes, end to end over
 * HTTP on a kept-alive connection, on a warm Quire (WORKERS=1) serving the generated blog.
 * Queries are one to three words drawn (seeded) from the prose of the generated posts
 * themselves, so nearly every query matches most posts: the worst case for ranking and snippets.
 * The first search, which builds the process's index, is reported apart, with the process's RSS
 * before and after it; then a few warm-up searches; then `queries` measured one after another.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'undici';
import { clockTicksPerSecond, cpuTicksTree, rssTree, stopServer } from './measure.ts';
import { type QuireOptions, type Site, startQuire } from './quire.ts';

const WARM_UP = 10;
const SEED = 19;
const TICKS_PER_SECOND = clockTicksPerSecond();

/** mulberry32, as in the post generator: the same queries on every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` queries of one to three words of at least three letters, from the posts' prose. */
export async function queriesFromPosts(postsDir: string, count: number): Promise<string[]> {
  const rng = random(SEED);
  const files = (await readdir(postsDir)).filter((name) => name.endsWith('.md')).sort();
  const queries: string[] = [];
  while (queries.length < count) {
    const file = files[Math.floor(rng() * files.length)] as string;
    const source = await readFile(join(postsDir, file), 'utf8');
    // The body without its front matter and code blocks: what search indexes.
    const prose = source.replace(/^---\n[\s\S]*?\n---\n/, '').replace(/^```[\s\S]*?^```$/gm, ' ');
    const words = prose.match(/\p{L}{3,}/gu) ?? [];
    if (words.length === 0) continue;
    const length = 1 + Math.floor(rng() * 3);
    queries.push(
      Array.from({ length }, () => words[Math.floor(rng() * words.length)] as string).join(' '),
    );
  }
  return queries;
}

/** The queries of one search bench: the first (it builds the index), warm-ups, the measured. */
export async function benchQueries(postsDir: string, count: number) {
  const all = await queriesFromPosts(postsDir, count + WARM_UP + 1);
  return {
    first: all[0] as string,
    warmUp: all.slice(1, WARM_UP + 1),
    measured: all.slice(WARM_UP + 1),
  };
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
const round2 = (value: number) => Math.round(value * 100) / 100;

/** A server answering `/search?q=` on a kept-alive connection, one request at a time. */
export function searchClient(baseUrl: string) {
  const client = new Client(baseUrl, { pipelining: 1 });
  const search = async (q: string) => {
    const begin = performance.now();
    const response = await client.request({
      path: `/search?q=${encodeURIComponent(q)}`,
      method: 'GET',
    });
    const body = await response.body.text();
    const ms = performance.now() - begin;
    if (response.statusCode !== 200)
      throw new Error(`/search?q=${q} answered ${response.statusCode}`);
    return { ms, body, headers: response.headers };
  };
  return { search, close: () => client.close() };
}

/**
 * Searches for each of `queries`, one after another, and times them: wall time per request, and
 * the server's CPU time per request (/proc, in clock ticks, so only a mean over many).
 */
export async function timeSearches(
  client: ReturnType<typeof searchClient>,
  pid: number,
  queries: readonly string[],
) {
  const ticksBefore = cpuTicksTree(pid).ticks;
  const times: number[] = [];
  const matches: number[] = [];
  for (const q of queries) {
    const { ms, body } = await client.search(q);
    times.push(ms);
    matches.push(Number(/(\d+) posts? found/.exec(body)?.[1] ?? 0));
  }
  const ticksAfter = cpuTicksTree(pid).ticks;
  const sorted = [...times].sort((a, b) => a - b);
  return {
    p50Ms: round2(percentile(sorted, 50)),
    p95Ms: round2(percentile(sorted, 95)),
    maxMs: round2(sorted.at(-1) ?? 0),
    serverCpuMsPerQuery:
      ticksBefore === undefined || ticksAfter === undefined
        ? null
        : round2(((ticksAfter - ticksBefore) / TICKS_PER_SECOND / queries.length) * 1000),
    medianMatches: [...matches].sort((a, b) => a - b)[Math.floor(matches.length / 2)] ?? 0,
  };
}

export interface SearchResult {
  posts: number;
  queries: number;
  sampleQueries: string[];
  /** The first search of the process: its index is built then. */
  firstSearchMs: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** The server process's CPU time per measured query, request handling included. */
  serverCpuMsPerQuery: number | null;
  /** Median number of posts a measured query found. */
  medianMatches: number;
  /** quire_search_duration_seconds over the measured queries: the query and snippets alone. */
  serverMeanMs: number | null;
  rssMb: { beforeFirstSearch: number | null; afterAllSearches: number | null };
}

/** A page Quire answered, to serve again from a plain server (floors.ts). */
export interface SamplePage {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Starts Quire on `site` (its render cache filled), searches, stops it. */
export async function benchSearch(
  quire: QuireOptions,
  site: Site & { posts: number },
  { queries: count, timeoutMs }: { queries: number; timeoutMs: number },
): Promise<{ result: SearchResult; page: SamplePage }> {
  const queries = await benchQueries(site.postsDir, count);
  const started = await startQuire(quire, site, `quire-search-${site.posts}`, { timeoutMs });
  const client = searchClient(started.server.baseUrl);
  const serverSeconds = async () => {
    const metrics = await fetch(started.metricsUrl).then((r) => r.text());
    const value = (name: string) =>
      Number(new RegExp(`^quire_search_duration_seconds_${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    return { sum: value('sum'), count: value('count') };
  };
  try {
    const beforeFirstSearch = rssTree(started.server.pid).totalMb ?? null;
    const first = await client.search(queries.first);
    for (const q of queries.warmUp) await client.search(q);
    const before = await serverSeconds();
    const timed = await timeSearches(client, started.server.pid, queries.measured);
    const after = await serverSeconds();
    const measured = after.count - before.count;
    const result: SearchResult = {
      posts: site.posts,
      queries: queries.measured.length,
      sampleQueries: queries.measured.slice(0, 5),
      firstSearchMs: round2(first.ms),
      ...timed,
      serverMeanMs: measured > 0 ? round2(((after.sum - before.sum) / measured) * 1000) : null,
      rssMb: {
        beforeFirstSearch,
        afterAllSearches: rssTree(started.server.pid).totalMb ?? null,
      },
    };
    const { body, headers } = await client.search(queries.first);
    return { result, page: { body, headers } };
  } finally {
    await client.close();
    await stopServer(started.server);
  }
}
