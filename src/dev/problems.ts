/**
 * Problems as the dev server shows them: located at their source line, and the slug and alias
 * clashes a single file can have with the other files' good posts (located as `validatePosts`
 * does for a whole site).
 */
import type { ParsedPost } from '../content/front-matter.ts';
import type { ContentProblem, Post } from '../content/types.ts';

/** A problem with the source line it points at, so the writer sees what is wrong where. */
export interface DevProblem extends ContentProblem {
  source: string;
}

export function located(source: string, problems: readonly ContentProblem[]): DevProblem[] {
  const lines = source.split(/\r?\n/);
  return problems.map((p) => ({ ...p, source: lines[p.line - 1] ?? '' }));
}

/** Slug or alias clashes of `parsed` (in `file`) with the good posts of the other files. */
export function clashes(
  file: string,
  parsed: ParsedPost,
  others: Iterable<[file: string, good: Post]>,
): ContentProblem[] {
  const owners = new Map<string, string>();
  for (const [other, good] of others) {
    if (other === file) continue;
    for (const name of [good.slug, ...good.aliases]) owners.set(name, other);
  }
  const { slug, aliases } = parsed.frontMatter;
  const problems: ContentProblem[] = [];
  const owner = owners.get(slug);
  if (owner)
    problems.push({
      file,
      line: parsed.fieldLines.slug ?? 1,
      message: `duplicate slug "${slug}": ${owner} already uses it`,
    });
  for (const alias of aliases) {
    const aliasOwner = owners.get(alias);
    if (aliasOwner)
      problems.push({
        file,
        line: parsed.fieldLines.aliases ?? 1,
        message: `alias "${alias}" is already used by ${aliasOwner}`,
      });
  }
  return problems;
}
