/**
 * The one rule for the files a post shows or links to, its cover included (issue #18): each must
 * be a file under the posts folder. A missing one is a problem of the post at its line, like a
 * front matter problem, with "did you mean" over the files there, written as the writer would
 * write it: relative to the post's folder.
 */
import { posix } from 'node:path';
import { fileTarget, resolveFile } from '../markdown/file-references.ts';
import { nearest } from '../source/did-you-mean.ts';
import type { ContentProblem } from '../types.ts';
import type { FileState } from './file-state.ts';

/** The site file's `defaultCover` (issue #18): its image relative to the posts folder. */
export interface DefaultCover {
  src: string;
  alt: string;
  /** The site file and the line of `src` in it, where its problems are reported. */
  file: string;
  line: number;
}

/** Adds each file's problems to its `problems` (after `checkClashes`, which resets them). */
export function checkFiles(states: Iterable<FileState>, files: ReadonlySet<string>): void {
  for (const state of states) {
    // The version being written (one whose front matter is wrong too), else the one served.
    const named = state.current?.files ?? state.files ?? state.good?.files ?? [];
    for (const { target, line } of named) {
      const message = fileProblem(state.path, target, files);
      if (message) state.problems.push({ file: state.file, line, message });
    }
  }
}

/**
 * The default cover's problem, at its line of the site file: by the same rule as a post's files,
 * as if the site file were at the top of the posts folder, which its `src` is relative to.
 */
export function defaultCoverProblems(
  cover: DefaultCover | undefined,
  files: ReadonlySet<string>,
): ContentProblem[] {
  if (!cover) return [];
  const problem = fileTarget(cover.src)
    ? fileProblem('', cover.src, files, ' in the posts folder')
    : `must be a file in the posts folder, relative to it (got "${cover.src}")`;
  if (problem === undefined) return [];
  const message = `"defaultCover.src"${fileTarget(cover.src) ? ':' : ''} ${problem}`;
  return [{ file: cover.file, line: cover.line, message }];
}

function fileProblem(postPath: string, target: string, files: ReadonlySet<string>, where = '') {
  // Only a cover can name something else: a link or image with a URL is not a post file.
  if (!fileTarget(target))
    return `"cover.src" must be a file beside the post, relative to its folder (got "${target}")`;
  const path = resolveFile(postPath, target);
  if (path === undefined) return `file "${target}" is outside the posts folder`;
  if (files.has(path)) return undefined;
  const guess = nearest(path, [...files]);
  const hint = guess ? ` (did you mean "${posix.relative(posix.dirname(postPath), guess)}"?)` : '';
  return `missing file "${target}"${where}${hint}`;
}
