/**
 * Post HTML with every link and image URL made absolute, for feeds: a feed reader shows the post
 * away from the site, where `/posts/x` or `#fn-1` would point nowhere (issue #3). The HTML was
 * sanitized when rendered; this pass only rewrites URL attributes, through an HTML parser
 * (sanitize-html's) so that text that merely looks like an attribute, e.g. in a code block, is
 * left alone.
 */
import sanitizeHtml from 'sanitize-html';

const URL_ATTRIBUTES = ['href', 'src', 'cite', 'poster'];

function absolute(url: string, base: string): string {
  try {
    return new URL(url.trim(), base).href;
  } catch {
    return url; // not a URL a browser could follow either; leave it as written
  }
}

/** A srcset is a comma-separated list of "url [descriptor]" candidates. */
function absoluteSrcset(srcset: string, base: string): string {
  return srcset
    .split(',')
    .map((candidate) => {
      const [url = '', ...descriptor] = candidate.trim().split(/\s+/);
      return [absolute(url, base), ...descriptor].join(' ');
    })
    .join(', ');
}

/** `base` is the absolute URL of the post's page, so `#fn-1` resolves to that page. */
export function absoluteUrls(html: string, base: string): string {
  return sanitizeHtml(html, {
    allowedTags: false,
    allowedAttributes: false,
    allowVulnerableTags: true, // the input is already sanitized; nothing is allowed in here
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    transformTags: {
      '*': (tagName, attribs) => {
        const rewritten = { ...attribs };
        for (const name of URL_ATTRIBUTES) {
          const value = rewritten[name];
          if (value !== undefined) rewritten[name] = absolute(value, base);
        }
        if (rewritten.srcset !== undefined)
          rewritten.srcset = absoluteSrcset(rewritten.srcset, base);
        return { tagName, attribs: rewritten };
      },
    },
  });
}
