/** Splits a list into numbered pages, for the index and the tag pages. */

export interface Page<T> {
  /** 1-based. */
  number: number;
  items: readonly T[];
}

/** Always at least one page (an empty blog still has an index). */
export function paginate<T>(items: readonly T[], size: number): Page<T>[] {
  const pages: Page<T>[] = [];
  for (let start = 0; start < items.length; start += size) {
    pages.push({ number: pages.length + 1, items: items.slice(start, start + size) });
  }
  return pages.length > 0 ? pages : [{ number: 1, items: [] }];
}

/**
 * A page number as written in a URL: digits only, no leading zero, at most 6 digits (so
 * `99999999999999999999` is simply not a page rather than a float). Anything else is undefined.
 */
export function parsePageNumber(text: string): number | undefined {
  return /^[1-9]\d{0,5}$/.test(text) ? Number(text) : undefined;
}
