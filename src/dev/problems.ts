/** Problems as the dev server shows them: with the source line they point at. */
import type { ContentProblem } from '../content/types.ts';

/** A problem with the source line it points at, so the writer sees what is wrong where. */
export interface DevProblem extends ContentProblem {
  source: string;
}

export function located(source: string, problems: readonly ContentProblem[]): DevProblem[] {
  const lines = source.split(/\r?\n/);
  return problems.map((p) => ({ ...p, source: lines[p.line - 1] ?? '' }));
}
