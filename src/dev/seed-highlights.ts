/**
 * Seeds the highlighter's memo with the code blocks of a post's last rendered body (issue #4: "only
 * its changed code blocks are re-highlighted"): a dev server started from the render cache or
 * render children knows none of them, and a post's first edit would highlight every block again.
 * The rendered body has Shiki's `<pre>`s verbatim (markdown.ts), from this renderer fingerprint
 * (the cache key includes it), so byte for byte what `highlight` would return now.
 *
 * Each block of the old source is paired with the Shiki `<pre>` of the old HTML whose text is
 * exactly the block's code; a block that cannot be paired for sure is not seeded, and is simply
 * highlighted again if the new version still has it.
 */
import { decodeHTML } from 'entities';
import { Marked, type Tokens } from 'marked';
import { parseFenceInfo } from '../content/markdown/fence-info.ts';
import type { CodeHighlighter } from '../content/highlight/highlighter.ts';

/** Shiki's block: its `<pre>` up to the first `</pre>` (code text has `<` escaped). */
const SHIKI_PRE = /<pre class="shiki[ "][^>]*><code>([\s\S]*?)<\/code><\/pre>/g;
const TAG = /<[^>]*>/g;

/**
 * GFM without the renderer's extensions: heading ids do not matter here, and marked-footnote
 * keeps state between documents that only its rendering resets. A block inside a footnote is
 * then not found (or found as plain indented code) and simply not seeded.
 */
const marked = new Marked({ gfm: true });

function codeTokens(body: string): Tokens.Code[] {
  const tokens = marked.lexer(body);
  const codes: Tokens.Code[] = [];
  void marked.walkTokens(tokens, (token) => {
    if (token.type === 'code') codes.push(token as Tokens.Code);
  });
  return codes;
}

/** Seeds the memo with every block of `body` found in `html`. */
export function seedHighlights(highlighter: CodeHighlighter, body: string, html: string): void {
  /** Code text → its Shiki `<pre>`s, in page order (equal blocks of two languages differ). */
  const pres = new Map<string, string[]>();
  for (const match of html.matchAll(SHIKI_PRE)) {
    const text = decodeHTML((match[1] as string).replace(TAG, ''));
    const list = pres.get(text) ?? [];
    list.push(match[0]);
    pres.set(text, list);
  }
  if (pres.size === 0) return;
  /** Code text → the fences that have it: seeded only if they agree (see below). */
  const blocks = new Map<string, { lang: string; highlightLines: number[]; count: number }>();
  const ambiguous = new Set<string>();
  let codes: Tokens.Code[];
  try {
    codes = codeTokens(body);
  } catch {
    return; // only a head start: the edit highlights every block, as without seeding
  }
  for (const code of codes) {
    const { lang, highlightLines } = parseFenceInfo(code.lang ?? '', code.text.split('\n').length);
    if (lang === '' || !highlighter.isKnown(lang)) continue; // plain: never highlighted
    const seen = blocks.get(code.text);
    if (!seen) blocks.set(code.text, { lang, highlightLines, count: 1 });
    else if (seen.lang !== lang || seen.highlightLines.join() !== highlightLines.join())
      ambiguous.add(code.text);
    else seen.count++;
  }
  for (const [text, { lang, highlightLines, count }] of blocks) {
    // Pairing by text alone is exact only when every block with this text was fenced alike and
    // each became a Shiki <pre> (a block whose grammar failed to load became a plain one).
    const found = pres.get(text);
    if (ambiguous.has(text) || found?.length !== count) continue;
    highlighter.seed(text, lang, highlightLines, found[0] as string);
  }
}
