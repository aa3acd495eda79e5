/**
 * Inline code that wraps only where a reader expects it to (issue #19). Browsers break a line
 * after any hyphen (`--⏎port`, `X-⏎Forwarded-Proto`) and, as a last resort, inside a name, yet
 * never after a `/`, so on a phone `posts/notes-from-the-first-month.md` breaks mid-word.
 *
 * - A span of up to `KEEP_WHOLE` characters never breaks (`nowrap`): it always fits a phone's
 *   line, so at worst it moves to the next one.
 * - A longer span breaks at its spaces, but each word of up to `KEEP_WHOLE` characters stays
 *   whole; a longer word may also break after a `/`, or a `.` or `_` before a letter (`<wbr>`),
 *   or a hyphen inside it, never after the hyphens it starts with.
 *
 * `<wbr>` and `<span>` add no text: copying, searching and reading aloud see the code as written.
 */
import { escapeHtml } from './text.ts';

/** Characters that fit a 320 px wide phone's line with room to spare (about 34 fit). */
const KEEP_WHOLE = 24;

const whole = (text: string) => `<span class="nowrap">${escapeHtml(text)}</span>`;

/** A word too long to keep whole: break opportunities after `/`, `.` and `_`. */
function breakableWord(word: string): string {
  // Leading hyphens (`--crash-loop-window-ms`) stay with the name they introduce.
  const lead = /^-+[^-]*/.exec(word)?.[0] ?? '';
  const rest = escapeHtml(word.slice(lead.length)).replace(
    /(\/+)(?=[\p{L}\p{N}])|([._]+)(?=\p{L})/gu,
    '$&<wbr>',
  );
  return (lead === '' ? '' : whole(lead)) + rest;
}

export function inlineCodeHtml(text: string): string {
  if (text.length <= KEEP_WHOLE) return `<code class="nowrap">${escapeHtml(text)}</code>`;
  const words = text
    .split(/( +)/)
    .map((part, i) => {
      if (i % 2 === 1 || part === '') return part; // the spaces between words
      return part.length <= KEEP_WHOLE ? whole(part) : breakableWord(part);
    })
    .join('');
  return `<code>${words}</code>`;
}
