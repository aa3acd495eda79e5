/**
 * Splits a post into YAML front matter and Markdown body, and validates the front matter
 * strictly. Every problem is located at a line of the file, so a writer reads
 * `posts/hello.md:3: unknown field "tag" (did you mean "tags"?)`.
 */
import { type Document, isMap, isNode, LineCounter, parseDocument, visit } from 'yaml';
import type { z } from 'zod';
import { defaultSlug } from '../markdown/post-file-links.ts';
import { nearest } from './did-you-mean.ts';
import {
  FRONT_MATTER_FIELDS,
  frontMatterSchema,
  NESTED_FIELDS,
  REQUIRED_FIELDS,
  SLUG_PATTERN,
  toDate,
} from './front-matter-schema.ts';
import type { ContentProblem, FrontMatter } from '../types.ts';

export interface ParsedPost {
  frontMatter: FrontMatter;
  body: string;
  /** The 1-based line of the file where the body starts. */
  bodyLine: number;
  /** The file line of each top-level front matter field, for messages about it. */
  fieldLines: Readonly<Record<string, number>>;
}

/** A post's Markdown and the file line it starts on. */
interface Body {
  text: string;
  line: number;
}

/**
 * When the front matter is wrong but closed, the failure still carries the body, so its links are
 * checked in the same run (`npm run check`, issue #19).
 */
export type ParseResult =
  | { ok: true; post: ParsedPost }
  | { ok: false; problems: ContentProblem[]; body?: Body | undefined };

const FENCE = /^---[ \t]*$/;
const CLOSING_FENCE = /^(?:---|\.\.\.)[ \t]*$/;

/** `file` is the path shown in messages; it gives the default slug (`defaultSlug`). */
export function parsePost(file: string, source: string): ParseResult {
  const problem = (line: number, message: string, body?: Body): ParseResult => ({
    ok: false,
    problems: [{ file, line, message }],
    body,
  });
  const lines = source.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (!FENCE.test(lines[0] ?? '')) {
    return problem(
      1,
      'missing front matter: a post starts with a "---" line, YAML with "title" and "date", then "---"',
    );
  }
  const close = lines.findIndex((line, index) => index > 0 && CLOSING_FENCE.test(line));
  if (close === -1) return problem(1, 'front matter is not closed: add a "---" line after it');

  const body = { text: lines.slice(close + 1).join('\n'), line: close + 2 };
  // File line of YAML line n is n + 1: the opening fence is line 1.
  const yamlText = lines.slice(1, close).join('\n');
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineOf = (offset: number) => lineCounter.linePos(offset).line + 1;

  if (doc.errors.length > 0) {
    return {
      ok: false,
      body,
      problems: doc.errors.map((error) => ({
        file,
        line: lineOf(error.pos[0]),
        message: `invalid YAML in front matter: ${error.message.split('\n')[0]}`,
      })),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS() ?? {};
  } catch (error) {
    // The yaml package refuses to expand aliases past a bound (an alias bomb, "billion laughs").
    let line = 2;
    visit(doc, {
      Alias(_, node) {
        if (node.range) line = lineOf(node.range[0]);
        return visit.BREAK;
      },
    });
    return problem(line, `invalid YAML in front matter: ${(error as Error).message}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return problem(2, 'front matter must be fields like "title: My post", one per line', body);
  }

  const result = frontMatterSchema.safeParse(data);
  if (!result.success) {
    return {
      ok: false,
      body,
      problems: result.error.issues.flatMap((issue) =>
        describeIssue(issue, data as Record<string, unknown>, doc, lineOf).map(
          ({ line, message }) => ({ file, line, message }),
        ),
      ),
    };
  }

  const fm = result.data;
  const slug = fm.slug ?? defaultSlug(file);
  if (!SLUG_PATTERN.test(slug)) {
    const what = /(?:^|[\\/])index\.md$/.test(file) ? 'folder' : 'file';
    const message = `${what} name "${slug}" is not a usable slug: rename the ${what} or set "slug" (lowercase letters, digits and single "-", "_" or ".")`;
    return problem(1, message, body);
  }
  return {
    ok: true,
    post: {
      frontMatter: {
        ...fm,
        date: toDate(fm.date),
        updated: fm.updated === undefined ? undefined : toDate(fm.updated),
        slug,
      },
      body: body.text,
      bodyLine: body.line,
      fieldLines: Object.fromEntries(
        Object.keys(data).map((key) => [key, keyLine(doc, [key], lineOf)]),
      ),
    },
  };
}

function describeIssue(
  issue: z.core.$ZodIssue,
  data: Record<string, unknown>,
  doc: Document,
  lineOf: (offset: number) => number,
): { line: number; message: string }[] {
  const lineAt = (path: readonly PropertyKey[]): number => {
    // The deepest node that exists: an element of a list, else its key's value, else line 1. A
    // missing key of a map (`alt` of `cover`) is reported at the map's own key.
    for (let depth = path.length; depth > 0; depth--) {
      const at = path.slice(0, depth) as (string | number)[];
      const node = doc.getIn(at, true);
      if (depth < path.length && isNode(node)) return keyLine(doc, at, lineOf);
      if (isNode(node) && node.range) return lineOf(node.range[0]);
    }
    return 1;
  };

  if (issue.code === 'unrecognized_keys') {
    const parent = issue.path.map(String);
    const known =
      parent.length === 0 ? FRONT_MATTER_FIELDS : (NESTED_FIELDS[parent[0] ?? ''] ?? []);
    const inside = parent.length === 0 ? '' : ` in "${parent.join('.')}"`;
    return issue.keys.map((key) => {
      const guess = nearest(key, known);
      const hint = guess ? `did you mean "${guess}"?` : `known fields: ${known.join(', ')}`;
      return {
        line: keyLine(doc, [...parent, key], lineOf),
        message: `unknown field "${key}"${inside} (${hint})`,
      };
    });
  }
  const field = String(issue.path[0] ?? '');
  if ((REQUIRED_FIELDS as readonly string[]).includes(field) && data[field] === undefined) {
    return [{ line: 1, message: `missing required field "${field}"` }];
  }
  const got =
    issue.path.length > 0 ? describeValue(doc.getIn(issue.path as (string | number)[])) : '';
  return [{ line: lineAt(issue.path), message: `${issue.message}${got}` }];
}

/** The line of the key at `path` (`['cover', 'alt']`), else of its map, else line 1. */
function keyLine(
  doc: Document,
  path: readonly (string | number)[],
  lineOf: (offset: number) => number,
): number {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (isMap(parent)) {
    for (const pair of parent.items) {
      if (isNode(pair.key) && pair.key.toJSON() === path.at(-1) && pair.key.range)
        return lineOf(pair.key.range[0]);
    }
  }
  return path.length > 1 ? keyLine(doc, path.slice(0, -1), lineOf) : 1;
}

function describeValue(value: unknown): string {
  if (value === undefined || value === null || typeof value === 'object') return '';
  const text = JSON.stringify(value);
  return ` (got ${text.length > 60 ? `${text.slice(0, 57)}…` : text})`;
}
