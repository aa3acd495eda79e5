/**
 * The one rule for what no single post can check: every slug and alias names one post. A name
 * claimed by two files is a problem of both, each naming the other, so the result depends only
 * on the files, not on the order they were read or edited in (a full load and any sequence of
 * incremental updates agree).
 */
import type { ContentProblem } from '../types.ts';
import type { FileState } from './file-state.ts';

export interface Claimant {
  file: string;
  slug: string;
  aliases: readonly string[];
  fieldLines: Readonly<Record<string, number>>;
}

type Field = 'slug' | 'aliases';

/** Problems by claimant; claimants without a clash are absent. */
export function slugClashes(claimants: Iterable<Claimant>): Map<Claimant, ContentProblem[]> {
  const claims = new Map<string, { claimant: Claimant; field: Field }[]>();
  for (const claimant of claimants) {
    const names: [string, Field][] = [[claimant.slug, 'slug']];
    for (const alias of new Set(claimant.aliases))
      if (alias !== claimant.slug) names.push([alias, 'aliases']);
    for (const [name, field] of names) {
      const list = claims.get(name);
      if (list) list.push({ claimant, field });
      else claims.set(name, [{ claimant, field }]);
    }
  }
  const problems = new Map<Claimant, ContentProblem[]>();
  for (const [name, list] of claims) {
    if (list.length < 2) continue;
    for (const { claimant, field } of list) {
      const others = list.filter((other) => other.claimant !== claimant);
      const message = describe(name, field, others);
      const found = problems.get(claimant) ?? [];
      found.push({ file: claimant.file, line: claimant.fieldLines[field] ?? 1, message });
      problems.set(claimant, found);
    }
  }
  return problems;
}

function describe(name: string, field: Field, others: { claimant: Claimant; field: Field }[]) {
  const where = others
    .map((other) => `${other.field === 'slug' ? 'the slug' : 'an alias'} of ${other.claimant.file}`)
    .join(', ');
  return field === 'slug'
    ? `duplicate slug "${name}": it is also ${where}`
    : `alias "${name}" is also ${where}`;
}

/** Sets each file's problems: its parse problems, then its clashes with the other files. */
export function checkClashes(states: Iterable<FileState>): void {
  const claimants = new Map<Claimant, FileState>();
  for (const state of states) {
    state.problems = [...state.parseProblems];
    // The version that would be served claims: the current one, else the last good one.
    const version = state.current ?? state.good;
    if (!version) continue;
    const { slug, aliases } = version.frontMatter;
    claimants.set({ file: state.file, slug, aliases, fieldLines: version.fieldLines }, state);
  }
  for (const [claimant, problems] of slugClashes(claimants.keys()))
    claimants.get(claimant)?.problems.push(...problems);
}
