/**
 * What a search result quotes of a post: the run of `WINDOW` words of its text holding the most
 * of the words that matched (then the most matches), those words in `<mark>`. Every piece of
 * text is escaped first: the marks are the only markup.
 */
import { escapeHtml } from '../markdown/text.ts';
import { WORD_BOUNDARY } from './query.ts';

const WINDOW = 30;
const SPLIT = new RegExp(`(${WORD_BOUNDARY.source})`, 'u');

/** `terms`: lower-case words of `text` to mark (a search hit's `terms`). */
export function snippet(text: string, terms: readonly string[]): string {
  // Words at even indexes, what separates them at odd ones.
  const parts = text.split(SPLIT);
  const wanted = new Set(terms);
  const words = parts.filter((_, i) => i % 2 === 0);
  const matched = words.map((word) => (wanted.has(word.toLowerCase()) ? word.toLowerCase() : ''));

  // Slide the window along, counting each matched word in it.
  const counts = new Map<string, number>();
  const count = (term: string, by: number) => {
    if (term === '') return;
    const next = (counts.get(term) ?? 0) + by;
    if (next === 0) counts.delete(term);
    else counts.set(term, next);
  };
  let best = { start: 0, distinct: -1, total: 0 };
  let total = 0;
  for (let end = 0; end < words.length; end++) {
    count(matched[end] as string, 1);
    if (matched[end] !== '') total++;
    const start = end - WINDOW + 1;
    if (start > 0) {
      count(matched[start - 1] as string, -1);
      if (matched[start - 1] !== '') total--;
    }
    const better =
      counts.size > best.distinct || (counts.size === best.distinct && total > best.total);
    if (better) best = { start: Math.max(0, start), distinct: counts.size, total };
  }

  // Centre the matches in the window rather than leave them at its end.
  const inWindow = matched.slice(best.start, best.start + WINDOW);
  const first = inWindow.findIndex((term) => term !== '');
  const last = inWindow.findLastIndex((term) => term !== '');
  const slack = first === -1 ? best.start : Math.floor((WINDOW - 1 - last - first) / 2);
  const start = Math.max(0, Math.min(best.start - slack, words.length - WINDOW));
  const end = Math.min(words.length, start + WINDOW);

  let html = start > 0 ? '…' : '';
  for (let i = start; i < end; i++) {
    const word = escapeHtml(words[i] as string);
    html += matched[i] === '' ? word : `<mark>${word}</mark>`;
    if (i < end - 1 || end < words.length) html += escapeHtml(parts[2 * i + 1] ?? '');
  }
  return end < words.length ? `${html.trimEnd()}…` : html;
}
