/** Numbered pages of a list, for the index, the tag pages and search results. */

/**
 * Page `page` (1-based) of `items`, `size` to a page, with the number of pages; undefined past
 * the last. An empty list still has page 1 (an empty blog still has an index). `items` may be
 * anything with a length that slices (search results make their hits a page at a time).
 */
export function pageOf<T>(
  items: { length: number; slice(start: number, end: number): T[] },
  size: number,
  page: number,
) {
  const pages = Math.max(1, Math.ceil(items.length / size));
  if (page < 1 || page > pages) return undefined;
  return { items: items.slice((page - 1) * size, page * size), page, pages };
}

/**
 * A page number as written in a URL: digits only, no leading zero, at most 6 digits (so
 * `99999999999999999999` is simply not a page rather than a float). Anything else is undefined.
 */
export function parsePageNumber(text: string): number | undefined {
  return /^[1-9]\d{0,5}$/.test(text) ? Number(text) : undefined;
}
