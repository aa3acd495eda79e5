/**
 * A small least-recently-used map of string -> string, bounded both in entries and in total
 * characters so a few huge code blocks cannot pin unbounded memory.
 * A `Map` iterates in insertion order, so re-inserting on each hit keeps the oldest first.
 */
export class LruMemo {
  readonly #entries = new Map<string, string>();
  readonly #maxEntries: number;
  readonly #maxChars: number;
  #chars = 0;

  constructor(maxEntries: number, maxChars: number) {
    this.#maxEntries = maxEntries;
    this.#maxChars = maxChars;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: string): string | undefined {
    const value = this.#entries.get(key);
    if (value !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, value);
    }
    return value;
  }

  set(key: string, value: string): void {
    const old = this.#entries.get(key);
    if (old !== undefined) {
      this.#chars -= old.length;
      this.#entries.delete(key);
    }
    // A value larger than the whole budget is simply not kept.
    if (value.length > this.#maxChars) return;
    this.#entries.set(key, value);
    this.#chars += value.length;
    for (const [oldest, evicted] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#chars <= this.#maxChars) break;
      this.#entries.delete(oldest);
      this.#chars -= evicted.length;
    }
  }
}
