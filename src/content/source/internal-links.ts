/**
 * Finds the internal links of a post body, with their file lines, so `npm run check` can flag
 * links to posts that do not exist. A scan, not a Markdown parse: the renderer's tokens carry
 * no line numbers, and what matters is every `(/posts/slug)`-style target outside code.
 */
import { postFileSlug } from '../markdown/post-file-links.ts';

export interface InternalLink {
  /** The slug the link points at (a `.md` link's file name without `.md`). */
  slug: string;
  line: number;
}

// Inline links and images: `[text](target "title")`, text may hold one level of brackets.
const INLINE = /!?\[(?:[^[\]]|\[[^[\]]*\])*\]\(\s*<?([^\s)>]+)>?/g;
// Reference definitions: `[name]: target` (not footnotes: `[^name]: text`).
const DEFINITION = /^[ \t]*\[(?!\^)[^\]]+\]:[ \t]*<?([^\s>]+)>?/gm;
const POST_PATH = /^\/posts\/([^/?#]+)\/?(?:[?#].*)?$/;
const FENCE = /^\s*(`{3,}|~{3,})/;
const CODE_SPAN = /(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g;
const COMMENT = /<!--[\s\S]*?-->/g;

/** `bodyLine` is the file line where `body` starts. */
export function internalLinks(body: string, bodyLine: number): InternalLink[] {
  const text = maskCode(body);
  const links: InternalLink[] = [];
  for (const pattern of [INLINE, DEFINITION]) {
    for (const match of text.matchAll(pattern)) {
      const target = match[1] ?? '';
      const slug = slugOf(target);
      if (slug === undefined) continue;
      // The line of the target, not of the `[`: link text may wrap, and the target is what to fix.
      const offset = match.index + match[0].lastIndexOf(target);
      links.push({ slug, line: bodyLine + text.slice(0, offset).split('\n').length - 1 });
    }
  }
  return links.sort((a, b) => a.line - b.line);
}

function slugOf(target: string): string | undefined {
  const path = POST_PATH.exec(target)?.[1];
  if (path === undefined) return postFileSlug(target);
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Blanks fenced code, code spans and HTML comments (keeping newlines): examples are not links. */
function maskCode(body: string): string {
  let closing: RegExp | undefined;
  const lines = body.split('\n').map((line) => {
    if (closing) {
      if (closing.test(line)) closing = undefined;
      return '';
    }
    const marker = FENCE.exec(line)?.[1];
    if (marker === undefined) return line;
    // Closed by a fence of the same character, at least as long, with nothing after it.
    closing = new RegExp(`^\\s*\\${marker[0]}{${marker.length},}\\s*$`);
    return '';
  });
  const blank = (text: string) => text.replace(/[^\n]/g, ' ');
  return lines.join('\n').replace(CODE_SPAN, blank).replace(COMMENT, blank);
}
