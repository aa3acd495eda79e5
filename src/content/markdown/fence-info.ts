/**
 * The info string of a code fence: its language and Quire's options (issue #3).
 *
 *     ```ts title="src/app.ts" {1,3-4}
 *
 * - `title="..."` (or `'...'`): a caption above the block, usually a file name.
 * - `{1,3-4}`: lines to highlight, 1-based, single lines and inclusive ranges.
 *
 * A mistake in the options is reported as a problem (which the renderer turns into a warning
 * with the file line) and that option alone is ignored: the block always renders.
 */

export interface FenceInfo {
  /** The first word, as written (`ts`); `''` when the fence has none. */
  lang: string;
  title?: string | undefined;
  /** 1-based line numbers to highlight, ascending. */
  highlightLines: number[];
  /** What was wrong with the options, for warnings. */
  problems: string[];
}

/** One option at a time: `{...}`, `title="..."`, `title='...'`, or any other word. */
const OPTION = /\s*(?:\{([^}]*)\}|title=(?:"([^"]*)"|'([^']*)')|(\S+))/y;

/** Parses `info` for a block of `lineCount` lines. */
export function parseFenceInfo(info: string, lineCount: number): FenceInfo {
  const lang = /^\S*/.exec(info)?.[0] ?? '';
  const result: FenceInfo = { lang, highlightLines: [], problems: [] };
  const highlighted = new Set<number>();
  OPTION.lastIndex = lang.length;
  for (let match = OPTION.exec(info); match !== null; match = OPTION.exec(info)) {
    const [, ranges, doubleQuoted, singleQuoted, other] = match;
    if (ranges !== undefined) {
      for (const line of parseRanges(ranges, lineCount, result.problems)) highlighted.add(line);
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
  if (word.startsWith('{')) return `unclosed "{" in ${word}, line highlighting ignored`;
  return `unknown fence option "${word}" (expected title="..." or {lines}), ignored`;
}

/** `1,3-4` -> 1, 3, 4. Each bad part is a problem and is skipped; the good ones still count. */
function parseRanges(ranges: string, lineCount: number, problems: string[]): number[] {
  const lines: number[] = [];
  for (const part of ranges.split(',')) {
    const range = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!range) {
      problems.push(`bad line range "${part.trim()}" in {${ranges}} (expected e.g. {1,3-4})`);
      continue;
    }
    const from = Number(range[1]);
    const to = range[2] === undefined ? from : Number(range[2]);
    if (from < 1 || to < from) {
      problems.push(
        `bad line range "${part.trim()}" in {${ranges}} (lines count from 1, ranges go up)`,
      );
      continue;
    }
    if (to > lineCount) {
      const size = lineCount === 1 ? '1 line' : `${lineCount} lines`;
      problems.push(`line range "${part.trim()}" is past the end of the block (${size})`);
      continue;
    }
    for (let line = from; line <= to; line++) lines.push(line);
  }
  return lines;
}
