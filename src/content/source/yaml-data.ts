/**
 * YAML a writer wrote (a post's front matter, a page's, the site file), validated strictly against
 * a zod schema, with every problem located at a line of the file: the one place that turns YAML
 * and zod issues into `file:line: message` problems, so front matter and quire.yaml (issue #18)
 * read alike: an unknown key with "did you mean", a wrong type with what was given.
 */
import { type Document, isMap, isNode, LineCounter, parseDocument, visit } from 'yaml';
import { z } from 'zod';
import { nearest } from './did-you-mean.ts';

/** What the problems call a key: front matter has "fields", the site file "keys". */
export type KeyNoun = 'field' | 'key';

export interface YamlOptions {
  /**
   * The file line of the YAML's first line (front matter starts after the `---` line). What has
   * no line of its own (a missing top-level key) is reported at the file's line 1.
   */
  firstLine: number;
  noun: KeyNoun;
  /** Prefixed to YAML syntax errors, e.g. "invalid YAML in front matter". */
  syntaxError: string;
  /** When the YAML is not a mapping, e.g. 'front matter must be fields like "title: My post"'. */
  notAMapping: string;
  /**
   * Whether a value's problem is prefixed with its key (`"pageSize" must be …`). Front matter
   * messages name their field themselves.
   */
  nameKeys: boolean;
  /**
   * Whether a problem below the top level is told in the words of what it is in (front matter's
   * `cover`, issue #18): an unknown key names its mapping (`in "cover"`), and a missing one gets
   * the schema's own message ("cover" needs "alt": …) rather than `missing required …`.
   */
  explainNested?: boolean;
}

export type YamlResult<T> =
  | {
      ok: true;
      data: T;
      /** The file line of each top-level key. */
      keyLines: Record<string, number>;
      /** The file line of the node at `path` (or of the nearest one above it). */
      lineAt(path: readonly (string | number)[]): number;
    }
  | { ok: false; problems: { line: number; message: string }[] };

export function validateYaml<S extends z.ZodType>(
  text: string,
  schema: S,
  options: YamlOptions,
): YamlResult<z.output<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const lineOf = (offset: number) => lineCounter.linePos(offset).line + options.firstLine - 1;
  if (doc.errors.length > 0) {
    // An error at the very end (an unclosed list) is on the last line that has text.
    const end = text.trimEnd().length;
    return {
      ok: false,
      problems: doc.errors.map((error) => ({
        line: lineOf(Math.min(error.pos[0], end)),
        message: `${options.syntaxError}: ${error.message.split('\n')[0]}`,
      })),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS() ?? {};
  } catch (error) {
    // The yaml package refuses to expand aliases past a bound (an alias bomb, "billion laughs",
    // issue #20): a problem at the first alias's line.
    let line = options.firstLine;
    visit(doc, {
      Alias(_, node) {
        if (node.range) line = lineOf(node.range[0]);
        return visit.BREAK;
      },
    });
    return {
      ok: false,
      problems: [{ line, message: `${options.syntaxError}: ${(error as Error).message}` }],
    };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, problems: [{ line: options.firstLine, message: options.notAMapping }] };
  }
  const located = { doc, lineOf };
  const result = schema.safeParse(data);
  if (!result.success) {
    return {
      ok: false,
      problems: result.error.issues
        .flatMap((issue) => describeIssue(issue, schema, located, options))
        .sort((a, b) => a.line - b.line),
    };
  }
  const keyLines = Object.fromEntries(
    Object.keys(data).map((key) => [key, keyLine(located, [], key)]),
  );
  return { ok: true, data: result.data, keyLines, lineAt: (path) => lineAt(located, path) };
}

/** A parsed document and the file line of an offset in it; what is not found is at line 1. */
interface Located {
  doc: Document;
  lineOf: (offset: number) => number;
}

function describeIssue(
  issue: z.core.$ZodIssue,
  schema: z.ZodType,
  located: Located,
  { noun, nameKeys, explainNested }: YamlOptions,
): { line: number; message: string }[] {
  const { doc } = located;
  const path = issue.path as (string | number)[];
  if (issue.code === 'unrecognized_keys') {
    const known = keysAt(schema, path);
    const inside = explainNested && path.length > 0 ? ` in "${path.join('.')}"` : '';
    return issue.keys.map((key) => {
      const guess = nearest(key, known);
      const hint = guess ? `did you mean "${guess}"?` : `known ${noun}s: ${known.join(', ')}`;
      const message = `unknown ${noun} "${key}"${inside} (${hint})`;
      return { line: keyLine(located, path, key), message };
    });
  }
  const value = path.length === 0 ? undefined : doc.getIn(path);
  const name = path.findLast((part) => typeof part === 'string');
  if (issue.code === 'invalid_type' && value === undefined && name !== undefined) {
    // At the key of the mapping that lacks it (`alice:`), or its list entry (`- label: …`).
    const owner = path.slice(0, -1);
    const ownerKey = owner.at(-1);
    const line =
      typeof ownerKey === 'string'
        ? keyLine(located, owner.slice(0, -1), ownerKey)
        : lineAt(located, owner);
    const nested = explainNested && path.length > 1;
    return [{ line, message: nested ? issue.message : `missing required ${noun} "${name}"` }];
  }
  if (issue.code === 'invalid_key') {
    const key = String(path.at(-1));
    return [{ line: keyLine(located, path.slice(0, -1), key), message: issue.message }];
  }
  const prefix = nameKeys && name !== undefined ? `"${name}" ` : '';
  return [
    { line: lineAt(located, path), message: `${prefix}${issue.message}${describeValue(value)}` },
  ];
}

/** The line of the deepest node of `path` that exists: an entry, else its key's value, else the top. */
function lineAt({ doc, lineOf }: Located, path: readonly (string | number)[]): number {
  for (let depth = path.length; depth > 0; depth--) {
    const node = doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lineOf(node.range[0]);
  }
  return 1;
}

/** The line of `key` in the mapping at `path`. */
function keyLine(located: Located, path: readonly (string | number)[], key: string): number {
  const { doc, lineOf } = located;
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (isMap(map)) {
    for (const pair of map.items) {
      if (isNode(pair.key) && pair.key.toJSON() === key && pair.key.range)
        return lineOf(pair.key.range[0]);
    }
  }
  return lineAt(located, path);
}

/** The keys the schema knows for the mapping at `path`, in the schema's order. */
function keysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] {
  let node: unknown = schema;
  for (const part of [...path, undefined]) {
    for (;;) {
      if (node instanceof z.ZodOptional || node instanceof z.ZodDefault) node = node.unwrap();
      else if (node instanceof z.ZodPipe) node = node.in;
      else break;
    }
    if (part === undefined) break;
    if (node instanceof z.ZodObject) node = (node.shape as Record<string, unknown>)[String(part)];
    else if (node instanceof z.ZodArray) node = node.element;
    else if (node instanceof z.ZodRecord) node = node.valueType;
    else return [];
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function describeValue(value: unknown): string {
  if (value === undefined || value === null || typeof value === 'object') return '';
  const text = JSON.stringify(value);
  return ` (got ${text.length > 60 ? `${text.slice(0, 57)}…` : text})`;
}
