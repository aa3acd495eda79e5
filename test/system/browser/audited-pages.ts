/**
 * The pages the browser suites audit (issue #19, item 4): screenshots, axe-core and Lighthouse
 * all take this one list of the sample blog's pages. Not a test file itself.
 */
export interface AuditedPage {
  /** File-name part of its screenshots. */
  name: string;
  path: string;
  /** The status it answers with. */
  status: number;
  /** Asks search engines not to index it (`<meta name="robots" content="noindex">`). */
  noindex?: true;
}

export const AUDITED_PAGES: readonly AuditedPage[] = [
  { name: 'home', path: '/', status: 200 },
  // The longest sample post: code in several languages, a table of contents, footnotes.
  { name: 'post', path: '/posts/how-quire-renders-a-post', status: 200 },
  { name: 'tag', path: '/tags/guide', status: 200 },
  { name: 'search', path: '/search?q=quire', status: 200, noindex: true },
  { name: 'not-found', path: '/posts/no-such-post', status: 404 },
];
