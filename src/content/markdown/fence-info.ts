/**
 * The info string of a code fence: its language and Quire's options (issues #3 and #19).
 *
 *     ```ts title="src/app.ts" {1,3-4} {lineNumbers}
 *
 * - `title="..."` (or `'...'`): a caption above the block, usually a file name.
 * - `{1,3-4}`: lines to highlight, 1-based, single lines and inclusive ranges.
 * - `{lineNumbers}` or `{lineNumbers=false}`: line numbers on or off for this block, whatever
 *   the site's default (`CODE_LINE_NUMBERS`). Braces may mix both: `{1,3-4,lineNumbers}`.
 *
 * A mistake in the options is reported as a problem (which the renderer turns into a warning
 * with the file line) and that option alone is ignored: the block always renders.
 */
import { nearest } from '../source/did-you-mean.ts';

export interface FenceInfo {
  /** The first word, as written (`ts`); `''` when the fence has none. */
  lang: string;
  title?: string | undefined;
  /** 1-based line numbers to highlight, ascending. */
  highlightLines: number[];
  /** Line numbers shown or hidden; undefined: the site's default. */
  lineNumbers?: boolean | undefined;
  /** What was wrong with the options, for warnings. */
  problems: string[];
}

const LINE_NUMBERS = 'lineNumbers';

/** One option at a time: `{...}`, `title="..."`, `title='...'`, or any other word. */
const OPTION = /\s*(?:\{([^}]*)\}|title=(?:"([^"]*)"|'([^']*)')|(\S+))/y;

/** A word in braces: `lineNumbers`, `lineNumbers=false`. */
const KEYWORD = /^([A-Za-z][\w-]*)(?:\s*=\s*(.*))?$/;

/** Parses `info` for a block of `lineCount` lines. */
export function parseFenceInfo(info: string, lineCount: number): FenceInfo {
  const lang = /^\S*/.exec(info)?.[0] ?? '';
  const result: FenceInfo = { lang, highlightLines: [], problems: [] };
  const highlighted = new Set<number>();
  OPTION.lastIndex = lang.length;
  for (let match = OPTION.exec(info); match !== null; match = OPTION.exec(info)) {
    const [, braces, doubleQuoted, singleQuoted, other] = match;
    if (braces !== undefined) {
      for (const part of braces.split(',')) {
        const keyword = KEYWORD.exec(part.trim());
        if (keyword) {
          const lineNumbers = parseLineNumbers(keyword[1] ?? '', keyword[2], result.problems);
          if (lineNumbers !== undefined) result.lineNumbers = lineNumbers;
        } else {
          const lines = parseRange(part, braces, lineCount, result.problems);
          for (const line of lines) highlighted.add(line);
        }
      }
    } else if (doubleQuoted !== undefined || singleQuoted !== undefined) {
      result.title = doubleQuoted ?? singleQuoted;
    } else if (other !== undefined) {
      result.problems.push(describeUnknown(other));
    }
  }
  result.highlightLines = [...highlighted].sort((a, b) => a - b);
  return result;
}

function describeUnknown(word: string): string {
  if (/^title=["']/.test(word)) return `unclosed quote in ${word}, title ignored`;
  if (word.startsWith('{')) return `unclosed "{" in ${word}, option ignored`;
  // Braces forgotten, or another tool's name for it (`showLineNumbers`: Docusaurus).
  if (nearest(word, [LINE_NUMBERS]))
    return `unknown fence option "${word}" (did you mean {${LINE_NUMBERS}}?), ignored`;
  return `unknown fence option "${word}" (expected title="...", {lines} or {${LINE_NUMBERS}}), ignored`;
}

/** `lineNumbers` -> true, `lineNumbers=false` -> false; any other word is a problem. */
function parseLineNumbers(
  name: string,
  value: string | undefined,
  problems: string[],
): boolean | undefined {
  if (name !== LINE_NUMBERS) {
    const hint = nearest(name, [LINE_NUMBERS])
      ? `did you mean {${LINE_NUMBERS}}?`
      : `expected {${LINE_NUMBERS}} or lines such as {1,3-4}`;
    problems.push(`unknown fence option "${name}" in braces (${hint}), ignored`);
    return undefined;
  }
  if (value === undefined || value === 'true') return true;
  if (value === 'false') return false;
  problems.push(`bad value "${value}" for ${LINE_NUMBERS} (expected true or false), ignored`);
  return undefined;
}

/** `3-4` -> 3, 4. A bad part is a problem and is skipped; the good ones still count. */
function parseRange(part: string, braces: string, lineCount: number, problems: string[]): number[] {
  const range = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
  if (!range) {
    problems.push(`bad line range "${part.trim()}" in {${braces}} (expected e.g. {1,3-4})`);
    return [];
  }
  const from = Number(range[1]);
  const to = range[2] === undefined ? from : Number(range[2]);
  if (from < 1 || to < from) {
    problems.push(
      `bad line range "${part.trim()}" in {${braces}} (lines count from 1, ranges go up)`,
    );
    return [];
  }
  if (to > lineCount) {
    const size = lineCount === 1 ? '1 line' : `${lineCount} lines`;
    problems.push(`line range "${part.trim()}" is past the end of the block (${size})`);
    return [];
  }
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}
