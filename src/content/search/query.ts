/**
 * A search as a reader types it: words, and `tag:name` filters (`tag:"two words"` for a tag with
 * a space). Quotes elsewhere are allowed and change nothing: they part words like punctuation.
 */

/**
 * Words are runs of letters, marks and digits; anything else parts them. minisearch's default
 * parts at spaces and punctuation only, so `<b>` or `a=b` would be one word.
 */
export const WORD_BOUNDARY = /[^\p{L}\p{M}\p{N}]+/u;
/** Each word costs a pass over the index: a pasted paragraph must not cost a hundred. */
export const MAX_WORDS = 10;

export interface SearchQuery {
  /** The words to look for, each once (any case), at most `MAX_WORDS`. */
  words: string[];
  /** Words past `MAX_WORDS`, left out of the search. */
  ignored: string[];
  /** Posts must carry every one of these (any case). */
  tags: string[];
}

const TAG_FILTER = /(?<=^|\s)tag:(?:"([^"]*)"|(\S+))/giu;

export function parseQuery(text: string): SearchQuery {
  const tags: string[] = [];
  const rest = text.replace(TAG_FILTER, (_match, quoted?: string, bare?: string) => {
    const tag = (quoted ?? bare ?? '').trim();
    if (tag !== '') tags.push(tag);
    return ' ';
  });
  const seen = new Set<string>();
  const words = rest.split(WORD_BOUNDARY).filter((word) => {
    const key = word.toLowerCase();
    if (word === '' || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { words: words.slice(0, MAX_WORDS), ignored: words.slice(MAX_WORDS), tags };
}
