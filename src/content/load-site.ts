/**
 * Posts directory → `Site`: discover, validate every post (collecting all
 * problems, not just the first), render what the cache does not have, and
 * assemble the immutable site model the web layer serves.
 */
import { createHash } from 'node:crypto';
import { discoverPosts, type SourceFile } from './discover-posts.ts';
import { type ParsedPost, parsePost } from './front-matter.ts';
import { rendererFingerprint } from './render/fingerprint.ts';
import { toPost } from './post.ts';
import { cacheKey, createRenderCache, type RenderCache } from './render-cache.ts';
import { createRenderer, type Renderer } from './render-pool.ts';
import { ContentError, type ContentProblem, type RenderedBody, type Site } from './types.ts';

export interface LoadSiteOptions {
  postsDir: string;
  cacheDir: string;
  title: string;
  url: string;
  /** Drafts are never served in production; the dev server shows them. */
  includeDrafts?: boolean;
}

export interface LoadReport {
  posts: number;
  /** Posts a reader can see: not drafts (unless drafts are included). */
  published: number;
  rendered: number;
  cached: number;
  ms: number;
  /** Problems in posts that do not stop the site, e.g. an unknown code language. */
  warnings: ContentProblem[];
  /** Set when rendered posts could not be cached: the site works, the next start renders again. */
  cacheError?: string | undefined;
  /** How long each rendered post took, for the render duration histogram. */
  renderSeconds: number[];
}

interface ValidPost extends CheckedPost {
  key: string;
}

const CACHE_READS_IN_FLIGHT = 16;

/**
 * For a process that only prepares the cache for others (the cluster primary,
 * whose workers each call `loadSite`): validate every post and render what
 * the cache lacks, keeping nothing. Throws `ContentError` like `loadSite`.
 */
export async function prepareRenderCache(options: LoadSiteOptions): Promise<LoadReport> {
  const started = performance.now();
  const { posts, cache, present, renderer } = await start(options);
  const misses = posts.filter((_, index) => !present[index]);
  const warnings: ContentProblem[] = [];
  const { cacheError, renderSeconds } = await renderMisses(
    renderer,
    misses,
    posts,
    cache,
    (post, body) => {
      for (const warning of body.warnings) warnings.push({ file: post.file, ...warning });
    },
  );
  const published = posts.filter((post) => options.includeDrafts || !post.frontMatter.draft);
  return report(started, posts.length, published.length, misses.length, {
    warnings,
    cacheError,
    renderSeconds,
  });
}

export async function loadSite(
  options: LoadSiteOptions,
): Promise<{ site: Site; report: LoadReport }> {
  const started = performance.now();
  const { posts, cache, present, renderer } = await start(options);
  const bodies = new Map<string, RenderedBody>();
  // A few reads at a time rather than all at once: with 1000 reads in flight every file's buffer,
  // string and parsed entry are alive together and get promoted out of the young heap. Warm
  // loadSite of 1000 posts, 3 runs each: 835–972 ms, RSS 165–179 MB vs 1021–1124 ms, 215 MB.
  let next = 0;
  const reader = async () => {
    while (next < posts.length) {
      const index = next++;
      const post = posts[index] as ValidPost;
      const cached = present[index] ? await cache.get(post.key) : undefined;
      if (cached) bodies.set(post.key, cached);
    }
  };
  try {
    await Promise.all(Array.from({ length: CACHE_READS_IN_FLIGHT }, reader));
  } catch (error) {
    await renderer.close();
    throw error;
  }

  const misses = posts.filter((post) => !bodies.has(post.key));
  const { cacheError, renderSeconds } = await renderMisses(
    renderer,
    misses,
    posts,
    cache,
    (post, body) => bodies.set(post.key, body),
  );

  const warnings: ContentProblem[] = [];
  for (const post of posts) {
    for (const warning of bodies.get(post.key)?.warnings ?? [])
      warnings.push({ file: post.file, ...warning });
  }
  const site = assemble(posts, bodies, options);
  return {
    site,
    report: report(started, posts.length, site.posts.length, misses.length, {
      warnings,
      cacheError,
      renderSeconds,
    }),
  };
}

function report(
  started: number,
  posts: number,
  published: number,
  rendered: number,
  outcome: Pick<LoadReport, 'warnings' | 'cacheError' | 'renderSeconds'>,
): LoadReport {
  return {
    posts,
    published,
    rendered,
    cached: posts - rendered,
    ms: Math.round(performance.now() - started),
    ...outcome,
  };
}

/**
 * Discovers and validates the posts, and which of them the cache has. The renderer is created
 * (its child processes started) before the posts are validated, sized by the cache entries
 * missing: on a cold start the children load Node, marked and Shiki while this process checks
 * front matter instead of after it. Its caller renders with it and closes it; if the posts do not
 * validate it is closed here.
 */
async function start(options: LoadSiteOptions): Promise<{
  posts: ValidPost[];
  cache: RenderCache;
  /** Whether the cache lists an entry for each post (a corrupt entry still misses on reading). */
  present: boolean[];
  renderer: Renderer;
}> {
  const sources = await discoverPosts(options.postsDir);
  const fingerprint = rendererFingerprint();
  const keys = sources.map(({ source }) => cacheKey(fingerprint, source));
  const cache = createRenderCache(options.cacheDir);
  const present = await Promise.all(keys.map((key) => cache.has(key)));
  const renderer = createRenderer(present.filter((has) => !has).length);
  try {
    return { posts: validate(sources, keys), cache, present, renderer };
  } catch (error) {
    await renderer.close();
    throw error;
  }
}

/**
 * Renders `misses` (in child processes when there are many), writes them to the cache, prunes
 * it, and closes the renderer.
 */
async function renderMisses(
  renderer: Renderer,
  misses: readonly ValidPost[],
  all: readonly ValidPost[],
  cache: RenderCache,
  onRendered: (post: ValidPost, body: RenderedBody) => void,
): Promise<{ cacheError: string | undefined; renderSeconds: number[] }> {
  let cacheError: string | undefined;
  const renderSeconds: number[] = [];
  if (misses.length === 0) {
    await renderer.close();
    return { cacheError, renderSeconds };
  }
  try {
    await Promise.all(
      misses.map(async (post) => {
        const { body, seconds } = await renderer.render({
          file: post.file,
          body: post.body,
          bodyLine: post.bodyLine,
        });
        renderSeconds.push(seconds);
        onRendered(post, body);
        cacheError ??= await cache.set(post.key, body);
      }),
    );
  } finally {
    await renderer.close();
  }
  await cache.prune(new Set(all.map((post) => post.key)));
  return { cacheError, renderSeconds };
}

export interface CheckedPost extends ParsedPost {
  file: string;
}

/**
 * Parses every post, then checks what no single post can: slugs and aliases are unique.
 * Returns the valid posts and every problem, sorted by file and line, instead of throwing:
 * `npm run check` adds its own checks to them, `loadSite` throws them.
 */
export function validatePosts(sources: readonly SourceFile[]): {
  posts: CheckedPost[];
  problems: ContentProblem[];
} {
  const problems: ContentProblem[] = [];
  const posts: CheckedPost[] = [];
  for (const { file, source } of sources) {
    const result = parsePost(file, source);
    if (result.ok) posts.push({ ...result.post, file });
    else problems.push(...result.problems);
  }

  const owners = new Map<string, CheckedPost>();
  for (const post of posts) {
    const { slug, aliases } = post.frontMatter;
    for (const [name, field] of [[slug, 'slug'], ...aliases.map((a) => [a, 'aliases'])] as const) {
      const owner = owners.get(name);
      if (owner && owner !== post) {
        problems.push({
          file: post.file,
          line: post.fieldLines[field] ?? 1,
          message:
            field === 'slug'
              ? `duplicate slug "${name}": ${owner.file} already uses it`
              : `alias "${name}" is already used by ${owner.file}`,
        });
      } else {
        owners.set(name, post);
      }
    }
  }
  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { posts, problems };
}

/** `keys[i]` is the cache key of `sources[i]`. */
function validate(sources: readonly SourceFile[], keys: readonly string[]): ValidPost[] {
  const { posts, problems } = validatePosts(sources);
  if (problems.length > 0) throw new ContentError(problems);
  // No problems means every source parsed, so posts[i] is sources[i].
  return posts.map((post, index) => ({ ...post, key: keys[index] as string }));
}

function assemble(
  posts: readonly ValidPost[],
  bodies: ReadonlyMap<string, RenderedBody>,
  options: LoadSiteOptions,
): Site {
  const served = posts
    .filter((post) => options.includeDrafts || !post.frontMatter.draft)
    .map((post) => toPost(post.file, post.frontMatter, bodies.get(post.key)))
    .sort((a, b) => b.date.getTime() - a.date.getTime() || a.slug.localeCompare(b.slug));

  const version = createHash('sha256');
  for (const post of posts) version.update(post.key);
  return {
    title: options.title,
    url: options.url,
    posts: served,
    bySlug: new Map(served.map((post) => [post.slug, post])),
    version: version.digest('hex').slice(0, 16),
  };
}
