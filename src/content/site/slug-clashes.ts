/**
 * The one rule for what no single post can check: every slug and alias names one post (or, among
 * standalone pages, one page). A name claimed by two files is a problem of both, each naming the
 * other, so the result depends only on the files, not on the order they were read or edited in (a
 * full load and any sequence of incremental updates agree). A page may not take a name the site
 * itself answers at (`reserved`: /tags/, /feed.xml, …).
 */
import type { FileState } from './file-state.ts';
import type { SourceFields } from './source-kinds.ts';

type Field = 'slug' | 'aliases';

interface Claim {
  state: FileState<SourceFields>;
  field: Field;
  line: number;
}

/** Sets each file's problems: its parse problems, then its clashes with the other files. */
export function checkClashes(
  states: Iterable<FileState<SourceFields>>,
  reserved: ReadonlySet<string> = new Set(),
): void {
  const claims = new Map<string, Claim[]>();
  for (const state of states) {
    state.problems = [...state.parseProblems];
    // The version that would be served claims: the current one, else the last good one.
    const version = state.current ?? state.good;
    if (!version) continue;
    const { slug, aliases = [] } = version.frontMatter;
    if (reserved.has(slug)) {
      const line = version.fieldLines.slug ?? 1;
      const message = `slug "${slug}" is taken by the site itself: rename the file or set "slug"`;
      state.problems.push({ file: state.file, line, message });
    }
    const names: [string, Field][] = [[slug, 'slug']];
    for (const alias of new Set(aliases)) if (alias !== slug) names.push([alias, 'aliases']);
    for (const [name, field] of names) {
      const list = claims.get(name) ?? [];
      list.push({ state, field, line: version.fieldLines[field] ?? 1 });
      claims.set(name, list);
    }
  }
  for (const [name, list] of claims) {
    if (list.length < 2) continue;
    for (const { state, field, line } of list) {
      const others = list.filter((other) => other.state !== state);
      state.problems.push({ file: state.file, line, message: describe(name, field, others) });
    }
  }
}

function describe(name: string, field: Field, others: Claim[]): string {
  const where = others
    .map((other) => `${other.field === 'slug' ? 'the slug' : 'an alias'} of ${other.state.file}`)
    .join(', ');
  return field === 'slug'
    ? `duplicate slug "${name}": it is also ${where}`
    : `alias "${name}" is also ${where}`;
}
