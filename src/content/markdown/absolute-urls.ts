/**
 * Post HTML with every link and image URL made absolute, for feeds: a feed reader shows the post
 * away from the site, where `/posts/x` or `#fn-1` would point nowhere (issue #3). The HTML was
 * sanitized already; this pass only rewrites URL attributes, through an HTML parser, so text
 * that merely looks like an attribute (in a code block) is left alone.
 */
import sanitizeHtml from 'sanitize-html';
import { VOID_ELEMENTS } from './sanitize.ts';

const URL_ATTRIBUTES = ['href', 'src', 'cite', 'poster'];

interface Bases {
  /** The post's own URL, for `#fn-1` and `img/a.png`. */
  page: string;
  /** The site's URL (config SITE_URL), which may carry a path: for `/posts/x`. */
  site: string;
}

/**
 * Quire's own links are root-relative (`/posts/x`) and mean "on this site", so a site served under
 * a path (SITE_URL `https://example.org/blog`) resolves them under that path, not the host's root.
 */
function absolute(raw: string, bases: Bases): string {
  const url = raw.trim();
  try {
    if (url.startsWith('/') && !url.startsWith('//')) return new URL(`${bases.site}${url}`).href;
    return new URL(url, bases.page).href;
  } catch {
    return url; // not a URL a browser could follow either; leave it as written
  }
}

/** A srcset is a comma-separated list of "url [descriptor]" candidates. */
function absoluteSrcset(srcset: string, bases: Bases): string {
  return srcset
    .split(',')
    .map((candidate) => {
      const [url = '', ...descriptor] = candidate.trim().split(/\s+/);
      return [absolute(url, bases), ...descriptor].join(' ');
    })
    .join(', ');
}

/** `pageUrl`: the post's absolute URL, so `#fn-1` resolves to it; `siteUrl`: SITE_URL. */
export function absoluteUrls(html: string, pageUrl: string, siteUrl: string): string {
  const bases = { page: pageUrl, site: siteUrl };
  return sanitizeHtml(html, {
    allowedTags: false,
    allowedAttributes: false,
    allowVulnerableTags: true, // the input is already sanitized; nothing is allowed in here
    // Style attributes (Shiki puts one on every token) pass through as written: parsing each
    // with postcss was most of the time pre-rendering the feeds took at startup (issue #7).
    parseStyleAttributes: false,
    // Written back as they came (`<wbr />`, not `<wbr></wbr>`).
    selfClosing: VOID_ELEMENTS,
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    transformTags: {
      '*': (tagName, attribs) => {
        const rewritten = { ...attribs };
        for (const name of URL_ATTRIBUTES) {
          const value = rewritten[name];
          if (value !== undefined) rewritten[name] = absolute(value, bases);
        }
        if (rewritten.srcset !== undefined)
          rewritten.srcset = absoluteSrcset(rewritten.srcset, bases);
        return { tagName, attribs: rewritten };
      },
    },
  });
}
