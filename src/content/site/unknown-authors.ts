/**
 * Front matter `authors` are keys of the site file's `authors` (issue #18): a key it does not
 * define is a problem of the post, at the line of that entry, with the nearest known key. A rule
 * across files like slug clashes: checked on every load and update, so a change to quire.yaml
 * checks every post again without reading one.
 */
import { nearest } from '../source/did-you-mean.ts';
import type { FileState } from './file-state.ts';
import type { SourceFields } from './source-kinds.ts';

/** Adds each file's unknown authors to its problems; `known` undefined: not checked. */
export function checkAuthors(
  states: Iterable<FileState<SourceFields>>,
  known: readonly string[] | undefined,
): void {
  if (known === undefined) return;
  for (const state of states) {
    const version = state.current ?? state.good;
    for (const [i, key] of (version?.frontMatter.authors ?? []).entries()) {
      if (known.includes(key)) continue;
      const guess = nearest(key, known);
      const hint = guess
        ? `did you mean "${guess}"?`
        : known.length > 0
          ? `known authors: ${known.join(', ')}`
          : 'quire.yaml defines no "authors"';
      const lines = version?.fieldLines ?? {};
      state.problems.push({
        file: state.file,
        line: lines[`authors.${i}`] ?? lines.authors ?? 1,
        message: `unknown author "${key}" (${hint})`,
      });
    }
  }
}
