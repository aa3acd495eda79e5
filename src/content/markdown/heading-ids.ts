/**
 * Heading ids and footnote ids share one namespace: marked-footnote's `footnote-1`,
 * `footnote-ref-1` and `footnote-label` are also what marked-gfm-heading-id makes of a heading
 * "Footnote 1". Such a (rare) heading gets the next free `-n` suffix, the way the slugger
 * already separates repeated headings, so every generated id in a post is unique.
 */
import type { Heading } from '../types.ts';

const FOOTNOTE_ID = 'footnote-';

/** Returns the HTML with colliding heading ids renamed; updates `headings` to match. */
export function separateFootnoteIds(html: string, headings: Heading[]): string {
  if (!headings.some((heading) => heading.id.startsWith(FOOTNOTE_ID))) return html;
  const uses = new Map<string, number>();
  for (const [, id = ''] of html.matchAll(/ id="([^"]*)"/g)) uses.set(id, (uses.get(id) ?? 0) + 1);

  let result = html;
  for (const heading of headings) {
    const count = uses.get(heading.id) ?? 0;
    if (!heading.id.startsWith(FOOTNOTE_ID) || count < 2) continue;
    let n = 1;
    while (uses.has(`${heading.id}-${n}`)) n++;
    const id = `${heading.id}-${n}`;
    // Exactly what marked-gfm-heading-id writes; marked-footnote's own <h2> has a class too.
    const tag = `<h${heading.depth} id="${heading.id}">`;
    result = result.replace(tag, () => `<h${heading.depth} id="${id}">`);
    uses.set(heading.id, count - 1);
    uses.set(id, 1);
    heading.id = id;
  }
  return result;
}
