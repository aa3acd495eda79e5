/** A post's date as readers see it, on its page (the `humandate` filter) and on its social card. */
const format = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' });

/** `2026-12-06` → `December 6, 2026`: a calendar date, in UTC. */
export const humanDate = (date: Date): string => format.format(date);
