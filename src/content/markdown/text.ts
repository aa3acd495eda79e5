/**
 * Plain text out of Markdown tokens and out of our own sanitized HTML: for summaries
 * (`firstParagraph`), table-of-contents entries and word counts.
 */
import { decodeHTML } from 'entities';
import type { Token } from 'marked';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * The text a reader sees in a run of inline tokens: not images (alt text is not prose), raw
 * inline HTML tags or footnote reference numbers, but the text between raw tags (`<kbd>K</kbd>`).
 */
export function inlineText(tokens: readonly Token[] | undefined): string {
  let text = '';
  for (const token of tokens ?? []) {
    switch (token.type) {
      case 'text':
        // Marked leaves entities (`&amp;`, `&mdash;`) in text for the browser to decode.
        text += token.tokens ? inlineText(token.tokens) : decodeHTML(String(token.text));
        break;
      case 'escape':
      case 'codespan':
        text += token.text; // already literal: `\&` is "&", `` `&amp;` `` shows "&amp;"
        break;
      case 'br':
        text += ' ';
        break;
      case 'image':
      case 'html':
      case 'footnoteRef':
      case 'checkbox':
        break;
      default:
        // strong, em, del, link, ...
        if ('tokens' in token) text += inlineText(token.tokens);
    }
  }
  return text;
}

export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Text content of sanitized HTML, where removing `<...>` removes exactly the tags (`<` and `>`
 * in attribute values are escaped). Each tag becomes a space: `<td>a</td><td>b</td>` is 2 words.
 */
export function htmlText(html: string): string {
  return decodeHTML(html.replace(/<[^>]*>/g, ' '));
}

/**
 * Runs of letters, marks and digits; `don't`, `e.g`, `1.5` and `well-known` are one word. The
 * renderer counts all text of the sanitized HTML but code blocks: inline `code` counts, image alt
 * text and other attributes do not. Scripts written without spaces (Chinese, Japanese) count one
 * word per run, an undercount we accept.
 */
const WORD = /[\p{L}\p{M}\p{N}]+(?:['’.-][\p{L}\p{M}\p{N}]+)*/gu;

export function countWords(text: string): number {
  return text.match(WORD)?.length ?? 0;
}
