/**
 * A least-recently-used map of string -> string, bounded both in entries and in total
 * characters so a few huge code blocks cannot pin unbounded memory. A value larger than the
 * whole budget is simply not kept.
 */
import { LRUCache } from 'lru-cache';

export class LruMemo extends LRUCache<string, string> {
  constructor(maxEntries: number, maxChars: number) {
    // lru-cache wants a positive size; an empty value costs one character.
    super({ max: maxEntries, maxSize: maxChars, sizeCalculation: (value) => value.length || 1 });
  }
}
