/**
 * The content model: what a folder of Markdown files becomes.
 * Nothing here knows about HTTP; `src/http/` consumes these types.
 */

/** Validated front matter of one post (see `front-matter-schema.ts`). */
export interface FrontMatter {
  title: string;
  date: Date;
  updated?: Date | undefined;
  tags: string[];
  summary?: string | undefined;
  /** For meta tags and feeds; see `Post.description` for its fallback. */
  description?: string | undefined;
  /** Keys of the site file's authors; checked against them (unknown-authors.ts). */
  authors: string[];
  /** The original's absolute URL, for a cross-posted article. */
  canonical?: string | undefined;
  draft: boolean;
  /** Defaults to the file name without `.md`. */
  slug: string;
  /** Old slugs that keep working: they redirect here. */
  aliases: string[];
  /** An image of the post, `src` relative to its folder (issue #18). */
  cover?: { src: string; alt: string } | undefined;
}

/** Validated front matter of one standalone page (`page-front-matter-schema.ts`). */
export interface PageFrontMatter {
  title: string;
  description?: string | undefined;
  draft: boolean;
  /** Defaults to the file name without `.md`: the page lives at `/<slug>/`. */
  slug: string;
}

/** A heading found while rendering, for tables of contents. */
export interface Heading {
  depth: number;
  id: string;
  text: string;
}

/** A non-fatal problem found while rendering (e.g. an unknown code language). */
export interface RenderWarning {
  line: number;
  message: string;
}

/** What the Markdown renderer produces from a post body. Plain data: it is cached on disk as JSON. */
export interface RenderedBody {
  /** Sanitized HTML of the body. */
  html: string;
  headings: Heading[];
  /** Plain text of the first paragraph, used when front matter has no `summary`. */
  firstParagraph: string;
  wordCount: number;
  /** Languages of the code blocks, as written in the fences. */
  languages: string[];
  warnings: RenderWarning[];
}

/** What a page needs of a rendered body; read from the render cache when a page is rendered. */
export type PostBody = Pick<RenderedBody, 'html' | 'headings'>;

/**
 * A post as the site knows it: everything but its body's HTML, which pages read from the render
 * cache when they need it (`Site.body`), so a process holds no post bodies (issue #17).
 */
export interface Post extends Omit<FrontMatter, 'summary' | 'description' | 'cover'> {
  /** Front matter `summary`, else the first paragraph. Plain text. */
  summary: string;
  /** Front matter `description`, else the summary. Plain text. */
  description: string;
  readingMinutes: number;
  /** Path relative to the working directory, for messages. */
  file: string;
  /** Key of its rendered body in the render cache. */
  bodyKey: string;
  /** Front matter `cover` as pages show it; undefined without one. */
  cover?: PostCover | undefined;
  /**
   * Its social card (issue #18), the picture of its link previews when it has no cover; undefined
   * with a cover, or when no card was made.
   */
  socialCard?: SocialCard | undefined;
  /** Changes whenever a file the post shows or links to changes (issue #18). */
  mediaVersion: string;
}

/** A post's cover image as pages, link previews and feeds show it (issue #18). */
export interface PostCover {
  alt: string;
  /** Site path of the image file (`/media/…`), for og:image, JSON-LD and feeds. */
  url: string;
  /** In CSS pixels; unknown for an image that could not be read. */
  width?: number | undefined;
  height?: number | undefined;
  /** Its MIME type, e.g. `image/jpeg`. */
  type: string;
  /** Its size in bytes (an RSS enclosure's length). */
  bytes: number;
  /** Its `<picture>` (or `<img>`), shown at the top of the post. */
  html: string;
}

/** A post's social card: a PNG of its title, date and the site's name (content/cards/). */
export interface SocialCard {
  /** Site path (`/media/…`). */
  url: string;
  type: string;
  width: number;
  height: number;
}

/** What a `/media/…` URL serves: a file under a folder, or a redirect to a changed file's URL. */
export type MediaAnswer = { root: string; file: string } | { moved: string };

/** A standalone page (issue #18): like a post, without a date, tags or a place in any list. */
export interface Page extends Omit<PageFrontMatter, 'description'> {
  /** Front matter `description`, else the first paragraph. Plain text. */
  description: string;
  file: string;
  bodyKey: string;
}

/** Everything the web layer needs to serve the blog. Immutable: a new content version is a new Site. */
export interface Site {
  title: string;
  /** Absolute base URL without a trailing slash. */
  url: string;
  /** Every post, drafts included, newest first; what a reader sees is a published view of it. */
  posts: readonly Post[];
  bySlug: ReadonlyMap<string, Post>;
  /** Every standalone page, drafts included, by slug. */
  pages: ReadonlyMap<string, Page>;
  /** Changes whenever any post, page or the renderer changes. */
  version: string;
  /** A post's or page's body: its sanitized HTML, its files' markup in place (issue #18), and its headings. */
  body(of: Post | Page): Promise<PostBody>;
  /** The post file or image variant at a `/media/…` URL path, percent-encoded as requested. */
  media(path: string): MediaAnswer | undefined;
}

/** One problem in one file (a post, a page, the site file), located for a human: `file:line: message`. */
export interface ContentProblem {
  file: string;
  line: number;
  message: string;
}

/** Raised when posts cannot be loaded. Carries every problem found, not just the first. */
export class ContentError extends Error {
  readonly problems: readonly ContentProblem[];

  /** `where` names what has the problems when there are several. */
  constructor(problems: readonly ContentProblem[], where = 'posts') {
    const lines = problems.map(formatProblem);
    super(
      lines.length === 1 ? lines[0] : `${lines.length} problems in ${where}:\n${lines.join('\n')}`,
    );
    this.name = 'ContentError';
    this.problems = problems;
  }
}

export function formatProblem(problem: ContentProblem): string {
  return `${problem.file}:${problem.line}: ${problem.message}`;
}
