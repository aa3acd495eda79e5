/**
 * The table of contents of a post: its h2 sections with their h3 subsections (issue #3).
 * Short posts get none; a list of one or two links is noise above the text.
 */
import type { Heading } from '../types.ts';

export interface TocEntry {
  id: string;
  text: string;
  children: TocEntry[];
}

/** A post needs at least this many h2/h3 headings to get a table of contents. */
export const TOC_MIN_HEADINGS = 3;

/** Nested entries (h3 under the h2 before it), or `[]` when the post is too short for one. */
export function tableOfContents(headings: readonly Heading[]): TocEntry[] {
  const listed = headings.filter((heading) => heading.depth === 2 || heading.depth === 3);
  if (listed.length < TOC_MIN_HEADINGS) return [];
  const entries: TocEntry[] = [];
  for (const { depth, id, text } of listed) {
    const entry: TocEntry = { id, text, children: [] };
    const parent = entries.at(-1);
    // An h3 before any h2 stays at the top level rather than being dropped.
    if (depth === 3 && parent !== undefined) parent.children.push(entry);
    else entries.push(entry);
  }
  return entries;
}
