/**
 * Splits a post or a standalone page into YAML front matter and Markdown body, and validates the
 * front matter strictly (yaml-data.ts). Every problem is located at a line of the file, so a
 * writer reads `posts/hello.md:3: unknown field "tag" (did you mean "tags"?)`.
 */
import type { z } from 'zod';
import { defaultSlug } from '../markdown/post-file-links.ts';
import { frontMatterSchema, SLUG_PATTERN, toDate } from './front-matter-schema.ts';
import { pageFrontMatterSchema } from './page-front-matter-schema.ts';
import { validateYaml } from './yaml-data.ts';
import type { ContentProblem, FrontMatter, PageFrontMatter } from '../types.ts';

/** A parsed post (or page, with `PageFrontMatter`). */
export interface ParsedPost<F = FrontMatter> {
  frontMatter: F;
  body: string;
  /** The 1-based line of the file where the body starts. */
  bodyLine: number;
  /**
   * The file line of each top-level front matter field, and of each entry of `authors` (as
   * `authors.0`, …), for messages about them.
   */
  fieldLines: Readonly<Record<string, number>>;
}

/** A file's Markdown and the file line it starts on. */
interface Body {
  text: string;
  line: number;
}

/**
 * When the front matter is wrong but closed, the failure still carries the body, so its links are
 * checked in the same run (`npm run check`, issue #19).
 */
export type ParseResult<F = FrontMatter> =
  | { ok: true; post: ParsedPost<F> }
  | { ok: false; problems: ContentProblem[]; body?: Body | undefined };

const FENCE = /^---[ \t]*$/;
const CLOSING_FENCE = /^(?:---|\.\.\.)[ \t]*$/;

/** `file` is the path shown in messages; it gives the default slug (`defaultSlug`). */
export function parsePost(file: string, source: string): ParseResult {
  return parseSource(file, source, {
    schema: frontMatterSchema,
    starts: 'a post starts with a "---" line, YAML with "title" and "date", then "---"',
    example: '"title: My post"',
    finish: (fm, slug) => ({
      ...fm,
      date: toDate(fm.date),
      updated: fm.updated === undefined ? undefined : toDate(fm.updated),
      slug,
    }),
  });
}

/** A standalone page: a post's rules without the date (page-front-matter-schema.ts). */
export function parsePage(file: string, source: string): ParseResult<PageFrontMatter> {
  return parseSource(file, source, {
    schema: pageFrontMatterSchema,
    starts: 'a page starts with a "---" line, YAML with "title", then "---"',
    example: '"title: About"',
    finish: (fm, slug) => ({ ...fm, slug }),
  });
}

/** The front matter's YAML and the body, without validating anything. */
export function splitSource(
  source: string,
): { yaml: string; body: string; bodyLine: number } | { problem: 'missing' | 'unclosed' } {
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (!FENCE.test(lines[0] ?? '')) return { problem: 'missing' };
  const close = lines.findIndex((line, index) => index > 0 && CLOSING_FENCE.test(line));
  if (close === -1) return { problem: 'unclosed' };
  return {
    yaml: lines.slice(1, close).join('\n'),
    body: lines.slice(close + 1).join('\n'),
    bodyLine: close + 2,
  };
}

interface SourceKind<S extends z.ZodType, F> {
  schema: S;
  /** How such a file starts, for a file without front matter. */
  starts: string;
  example: string;
  finish: (fm: z.output<S>, slug: string) => F;
}

function parseSource<S extends z.ZodType<{ slug?: string | undefined }>, F>(
  file: string,
  source: string,
  kind: SourceKind<S, F>,
): ParseResult<F> {
  const problems = (list: { line: number; message: string }[], body?: Body): ParseResult<F> => ({
    ok: false,
    problems: list.map(({ line, message }) => ({ file, line, message })),
    body,
  });
  const split = splitSource(source);
  if ('problem' in split) {
    const message =
      split.problem === 'missing'
        ? `missing front matter: ${kind.starts}`
        : 'front matter is not closed: add a "---" line after it';
    return problems([{ line: 1, message }]);
  }
  const body = { text: split.body, line: split.bodyLine };
  // File line of YAML line n is n + 1: the opening fence is line 1.
  const result = validateYaml(split.yaml, kind.schema, {
    firstLine: 2,
    noun: 'field',
    syntaxError: 'invalid YAML in front matter',
    notAMapping: `front matter must be fields like ${kind.example}, one per line`,
    nameKeys: false,
    explainNested: true,
  });
  if (!result.ok) return problems(result.problems, body);

  const fieldLines = { ...result.keyLines };
  const authors: unknown = (result.data as { authors?: unknown }).authors;
  if (Array.isArray(authors))
    for (const i of authors.keys()) fieldLines[`authors.${i}`] = result.lineAt(['authors', i]);
  const slug = result.data.slug ?? defaultSlug(file);
  if (!SLUG_PATTERN.test(slug)) {
    const what = /(?:^|[\\/])index\.md$/.test(file) ? 'folder' : 'file';
    const message = `${what} name "${slug}" is not a usable slug: rename the ${what} or set "slug" (lowercase letters, digits and single "-", "_" or ".")`;
    return problems([{ line: 1, message }], body);
  }
  return {
    ok: true,
    post: {
      frontMatter: kind.finish(result.data, slug),
      body: body.text,
      bodyLine: body.line,
      fieldLines,
    },
  };
}
