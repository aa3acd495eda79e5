/**
 * The HTML policy for post bodies, which may contain raw HTML: everything Marked produces goes
 * through this allow-list (but highlighted code blocks, generated and escaped by us: markdown.ts).
 *
 * What stays: the structure Markdown produces, the extras authors write by hand (tables,
 * details/summary, figure, picture, kbd, mark, ...), GFM task-list checkboxes and the
 * attributes marked-footnote emits. What never gets through: scripts and any other active or
 * embedding content (style, iframe, object, embed, svg, math, form, meta, base, link), inline
 * styles, event handlers, `srcdoc`, and URLs with a scheme other than http, https, mailto, tel.
 */
import sanitizeHtml from 'sanitize-html';
import { FILE_ATTRIBUTE, fileTarget } from './file-references.ts';
import { postFileHref } from './post-file-links.ts';

/** Marks where a highlighted code block goes back in after sanitizing (see markdown.ts). */
export const CODE_PLACEHOLDER_ATTRIBUTE = 'data-quire-block';

const GLOBAL_ATTRIBUTES = [
  'id',
  'class',
  'title',
  'lang',
  'dir',
  'aria-label',
  'aria-describedby',
  'aria-hidden',
];

/** Attributes whose value is a URL (or, for srcset, a list of them). */
const URL_ATTRIBUTES = ['href', 'src', 'cite', 'srcset'];

/**
 * sanitize-html already rejects these schemes, plain, entity-encoded or with whitespace. Browsers
 * do not percent-decode a scheme, but something downstream (a feed reader, a redirect) might, so
 * `%6Aavascript:` goes too. Only dangerous schemes: `a%3Ab` is a legitimate relative URL.
 */
const DANGEROUS_SCHEME = /^(?:javascript|vbscript|data):/i;

function percentDecode(value: string): string {
  let current = value;
  // A few rounds undo double encoding (%256A -> %6A -> j) without looping forever.
  for (let round = 0; round < 3; round++) {
    const next = current.replace(/%([0-9a-f]{2})/gi, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    if (next === current) break;
    current = next;
  }
  return current;
}

function hasDangerousScheme(attribute: string, value: string): boolean {
  const decoded = percentDecode(value);
  // A srcset is a comma-separated list of "url descriptor" candidates.
  const urls = attribute === 'srcset' ? decoded.split(',') : [decoded];
  return urls.some((url) =>
    // Browsers ignore ASCII whitespace and control characters inside a scheme.
    // eslint-disable-next-line no-control-regex -- stripping them is the point
    DANGEROUS_SCHEME.test(url.replace(/[\u0000-\u0020\u007f-\u009f]+/g, '')),
  );
}

/** The void elements a body may hold, written without an end tag (here and in absolute-urls.ts). */
export const VOID_ELEMENTS = ['img', 'br', 'hr', 'input', 'source', 'wbr', 'col'];

/** `allowedEmptyAttributes` exists since sanitize-html 2.12; its types lag behind. */
const OPTIONS: sanitizeHtml.IOptions & { allowedEmptyAttributes: string[] } = {
  allowedTags: [
    // Markdown's own output
    ...['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'br', 'hr', 'blockquote', 'pre', 'code'],
    ...['ul', 'ol', 'li', 'em', 'strong', 'del', 'a', 'img', 'input', 'section'],
    ...['table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption', 'colgroup', 'col'],
    // Extras authors write by hand
    ...['details', 'summary', 'figure', 'figcaption', 'picture', 'source', 'div', 'span'],
    ...['dl', 'dt', 'dd', 'sup', 'sub', 'kbd', 'mark', 'ins', 's', 'u', 'b', 'i', 'small'],
    ...['abbr', 'cite', 'q', 'dfn', 'samp', 'var', 'time', 'wbr', 'bdi', 'bdo'],
    ...['ruby', 'rt', 'rp'],
  ],
  allowedAttributes: {
    '*': GLOBAL_ATTRIBUTES,
    a: ['href', 'data-footnote-ref', 'data-footnote-backref', FILE_ATTRIBUTE],
    img: [
      'src',
      'srcset',
      'sizes',
      'alt',
      'width',
      'height',
      'loading',
      'decoding',
      FILE_ATTRIBUTE,
    ],
    source: ['src', 'srcset', 'sizes', 'type', 'media', 'width', 'height'],
    input: ['type', 'checked', 'disabled'],
    section: ['data-footnotes'],
    pre: [CODE_PLACEHOLDER_ATTRIBUTE],
    ol: ['start', 'reversed', 'type'],
    li: ['value'],
    th: ['align', 'colspan', 'rowspan', 'scope'],
    td: ['align', 'colspan', 'rowspan'],
    col: ['span'],
    colgroup: ['span'],
    details: ['open'],
    time: ['datetime'],
    del: ['cite', 'datetime'],
    ins: ['cite', 'datetime'],
    q: ['cite'],
    blockquote: ['cite'],
  },
  // Boolean attributes of checkboxes and details, and the empty markers marked-footnote emits.
  allowedEmptyAttributes: [
    'alt',
    'checked',
    'disabled',
    'open',
    'reversed',
    'data-footnotes',
    'data-footnote-ref',
    'data-footnote-backref',
  ],
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: {},
  allowProtocolRelative: true,
  // Dropped tags keep their text, except these whose content is code or markup, not prose.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'xmp', 'template'],
  disallowedTagsMode: 'discard',
  selfClosing: VOID_ELEMENTS,
  transformTags: {
    // The only input a post may have is a GFM task-list checkbox, and it must not be clickable.
    // A form control needs a name for screen readers (WCAG 4.1.2; axe-core's `label` rule):
    // "Task", with the checked state read out alongside it.
    input: (_tagName, attribs) => ({
      tagName: 'input',
      attribs: {
        type: 'checkbox',
        disabled: '',
        'aria-label': 'Task',
        ...('checked' in attribs ? { checked: '' } : {}),
      },
    }),
    '*': (tagName, attribs) => {
      for (const name of URL_ATTRIBUTES) {
        const value = attribs[name];
        if (value !== undefined && hasDangerousScheme(name, value)) delete attribs[name];
      }
      const href = tagName === 'a' && attribs.href !== undefined && postFileHref(attribs.href);
      if (href) attribs.href = href;
      // A file beside the post (file-references.ts): its URL is known only when a body is read.
      delete attribs[FILE_ATTRIBUTE];
      const url = tagName === 'img' ? 'src' : tagName === 'a' ? 'href' : undefined;
      const target = url && attribs[url];
      if (url && target !== undefined && fileTarget(target)) {
        attribs[FILE_ATTRIBUTE] = target;
        delete attribs[url];
      }
      return { tagName, attribs };
    },
  },
};

/** Sanitized HTML: safe to put on a page as is. */
export function sanitize(html: string): string {
  return sanitizeHtml(html, OPTIONS);
}
