/**
 * What a search result quotes of a post: the run of `WINDOW` words of its text holding the most
 * of the words that matched (then the most matches), those words in `<mark>`. Every piece of
 * text is escaped first: the marks are the only markup.
 *
 * Words are those query.ts's `WORD_BOUNDARY` parts, as `text.split(WORD_BOUNDARY)` has them (the
 * first and last may be empty). A page of results quotes ten whole posts, so the text is walked
 * in place and only the matched words are kept: splitting it made a string per word, and that
 * garbage was a large share of a search's cost (issue #19, measured under the bench's queries).
 */
import { escapeHtml } from '../markdown/text.ts';

const WINDOW = 30;
/** A character of a word, at `lastIndex`: a code point, two code units for an astral letter. */
const WORD_CHARACTER = /[\p{L}\p{M}\p{N}]/uy;

/** The code units the word character at `at` takes, 0 if the character there parts words. */
function wordCharacterLength(text: string, at: number): number {
  const code = text.charCodeAt(at);
  if (code < 0x80) {
    const letter = code | 0x20; // ASCII upper case to lower case
    return (code >= 0x30 && code <= 0x39) || (letter >= 0x61 && letter <= 0x7a) ? 1 : 0;
  }
  WORD_CHARACTER.lastIndex = at;
  return WORD_CHARACTER.test(text) ? WORD_CHARACTER.lastIndex - at : 0;
}

/**
 * Calls `visit` with each word's index and where it starts and ends in `text`, until it answers
 * true; answers how many words were visited.
 */
function eachWord(
  text: string,
  visit: (index: number, start: number, end: number) => boolean | void,
): number {
  let at = 0;
  for (let index = 0; ; index++) {
    const start = at;
    let length = at < text.length ? wordCharacterLength(text, at) : 0;
    while (length > 0) {
      at += length;
      length = at < text.length ? wordCharacterLength(text, at) : 0;
    }
    if (visit(index, start, at) === true || at === text.length) return index + 1;
    while (at < text.length && wordCharacterLength(text, at) === 0) at++;
  }
}

interface Match {
  /** The word's index in the text. */
  index: number;
  start: number;
  end: number;
  /** The word in lower case. */
  term: string;
}

/** `terms`: lower-case words of `text` to mark (a search hit's `terms`). */
export function snippet(text: string, terms: readonly string[]): string {
  const wanted = new Set(terms);
  // Lower-casing never shortens a word: a longer word cannot be one of the terms.
  const longest = terms.reduce((most, term) => Math.max(most, term.length), 0);
  // The first letters of the terms, to pass over most words without lower-casing them.
  const initials = new Set(terms.map((term) => term.charCodeAt(0)));
  const matches: Match[] = [];
  const words = eachWord(text, (index, start, end) => {
    if (end === start || end - start > longest) return;
    const initial = text.charCodeAt(start);
    if (
      initial < 0x80 &&
      !initials.has(initial < 0x41 || initial > 0x5a ? initial : initial | 0x20)
    )
      return;
    const term = text.slice(start, end).toLowerCase();
    if (wanted.has(term)) matches.push({ index, start, end, term });
  });

  // Slide the window along, counting each matched word in it: only a match can make it better.
  const counts = new Map<string, number>();
  let best = { start: 0, distinct: 0, total: 0 };
  for (let first = 0, last = 0; last < matches.length; last++) {
    const { index, term } = matches[last] as Match;
    for (let leaving = matches[first] as Match; leaving.index <= index - WINDOW;) {
      const left = (counts.get(leaving.term) ?? 1) - 1;
      if (left === 0) counts.delete(leaving.term);
      else counts.set(leaving.term, left);
      leaving = matches[++first] as Match;
    }
    counts.set(term, (counts.get(term) ?? 0) + 1);
    const total = last - first + 1;
    if (counts.size > best.distinct || (counts.size === best.distinct && total > best.total))
      best = { start: Math.max(0, index - WINDOW + 1), distinct: counts.size, total };
  }

  // Centre the matches in the window rather than leave them at its end.
  const inWindow = matches.filter(
    ({ index }) => index >= best.start && index < best.start + WINDOW,
  );
  const firstIn = inWindow[0]?.index ?? best.start;
  const lastIn = inWindow.at(-1)?.index ?? best.start;
  const slack =
    inWindow.length === 0
      ? best.start
      : Math.floor((WINDOW - 1 - (lastIn - best.start) - (firstIn - best.start)) / 2);
  const start = Math.max(0, Math.min(best.start - slack, words - WINDOW));
  const end = Math.min(words, start + WINDOW);

  // The quote runs from its first word's start to the next word's (or the text's end).
  let from = 0;
  let to = text.length;
  eachWord(text, (index, wordStart) => {
    if (index === start) from = wordStart;
    if (index < end) return false;
    to = wordStart;
    return true;
  });
  let html = start > 0 ? '…' : '';
  let at = from;
  for (const match of matches) {
    if (match.index < start || match.index >= end) continue;
    html += `${escapeHtml(text.slice(at, match.start))}<mark>${escapeHtml(text.slice(match.start, match.end))}</mark>`;
    at = match.end;
  }
  html += escapeHtml(text.slice(at, to));
  return end < words ? `${html.trimEnd()}…` : html;
}
