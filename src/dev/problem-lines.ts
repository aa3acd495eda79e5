/**
 * The dev server's problems as plain lines for the terminal, beside the browser banner, for a
 * writer whose editor is next to it. When a file's problems change they are written as
 * `file:line: message` (as a failed start prints them), or one line saying it is fixed; a save
 * that leaves them as they were writes nothing.
 */
import type { ContentProblem } from '../content/types.ts';

export type ProblemReport = (problems: readonly ContentProblem[], files: readonly string[]) => void;

/** `report(problems, files)`: every problem now, and every file known now. */
export function problemLines(write: (line: string) => void): ProblemReport {
  /** File → the lines last written for it; files without problems are absent. */
  let written = new Map<string, string[]>();
  return (problems, files) => {
    const now = new Map<string, string[]>();
    for (const { file, line, message } of problems)
      now.set(file, [...(now.get(file) ?? []), `${file}:${line}: ${message}`]);
    for (const [file, lines] of now)
      if (lines.join('\n') !== written.get(file)?.join('\n')) for (const line of lines) write(line);
    const known = new Set(files);
    for (const file of written.keys())
      if (!now.has(file)) write(known.has(file) ? `${file}: fixed` : `${file}: deleted`);
    written = now;
  };
}
