/**
 * A static host's two ways of answering a moved address (issue #18): the `_redirects` file that
 * Netlify and Cloudflare Pages read (`/old /new 301`, one a line;
 * https://docs.netlify.com/routing/redirects/, https://developers.cloudflare.com/pages/configuration/redirects/),
 * and, for any other host, an HTML page at the old address that sends the browser on at once
 * (`<meta http-equiv="refresh">`) and names the new address as canonical for search engines.
 */
import { escapeHtml } from '../content/markdown/text.ts';

export interface Redirect {
  /** The old URL path, as links write it. */
  from: string;
  /** Where the app's 301 points: a path on the site. */
  to: string;
}

export const REDIRECTS_FILE = '_redirects';

export function redirectsFile(redirects: readonly Redirect[]): string {
  return redirects.map(({ from, to }) => `${from} ${to} 301\n`).join('');
}

/** The page at `from`: valid HTML5 that moves the reader to `to` (on `siteUrl`). */
export function redirectPage(to: string, siteUrl: string, language: string): string {
  const path = escapeHtml(to);
  const absolute = escapeHtml(`${siteUrl}${to}`);
  return `<!doctype html>
<html lang="${escapeHtml(language)}">
<head>
<meta charset="utf-8">
<title>Moved to ${absolute}</title>
<meta http-equiv="refresh" content="0; url=${path}">
<link rel="canonical" href="${absolute}">
<meta name="robots" content="noindex">
</head>
<body>
<p>This page has moved to <a href="${path}">${absolute}</a>.</p>
</body>
</html>
`;
}
