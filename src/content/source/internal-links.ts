/**
 * Finds the link and image targets of a post body, with their file lines: links to other posts,
 * so `npm run check` can flag those to posts that do not exist, and files beside the post (issue
 * #18), which must exist. A scan, not a Markdown parse: the renderer's tokens carry no line
 * numbers, and what matters is every target outside code.
 */
import { fileTarget } from '../markdown/file-references.ts';
import { postFileSlug } from '../markdown/post-file-links.ts';

export interface InternalLink {
  /** The slug the link points at (a `.md` link's file name without `.md`). */
  slug: string;
  line: number;
}

/** A link or image to a file beside the post (markdown/file-references.ts). */
export interface FileLink {
  /** As written: relative to the post's folder, maybe percent-encoded, maybe with `#page=2`. */
  target: string;
  line: number;
  /** Shown as an image (`![]()`, `<img>`), not only linked to. */
  image: boolean;
}

// Inline links and images: `[text](target "title")`, text may hold one level of brackets (an
// image inside a link); `<target>` may hold spaces.
const INLINE = /!?\[(?:[^[\]]|\[[^[\]]*\])*\]\(\s*(?:<([^<>\n]+)>|([^\s)<>]+))/g;
// Reference definitions: `[name]: target` (not footnotes: `[^name]: text`).
const DEFINITION = /^[ \t]*\[(?!\^)[^\]]+\]:[ \t]*(?:<([^<>\n]+)>|([^\s<>]+))/gm;
// Raw HTML: `<img src="...">`, `<a href="...">`.
const HTML = /<(img|a)\b[^>]*?\s(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi;
const POST_PATH = /^\/posts\/([^/?#]+)\/?(?:[?#].*)?$/;
const FENCE = /^\s*(`{3,}|~{3,})/;
const CODE_SPAN = /(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g;
const COMMENT = /<!--[\s\S]*?-->/g;

interface Target {
  target: string;
  offset: number;
  image: boolean;
}

/** Every target, once, in order. Matches may overlap: `[![a](thumb.png)](full.png)` has two. */
function targets(text: string): Target[] {
  const found = new Map<number, Target>();
  const add = (match: RegExpExecArray, target: string | undefined, image: boolean) => {
    if (target === undefined) return;
    // The offset of the target, not of the `[`: link text may wrap, and the target is what to fix.
    const offset = match.index + match[0].lastIndexOf(target);
    if (!found.has(offset)) found.set(offset, { target, offset, image });
  };
  for (let match = INLINE.exec(text); match !== null; match = INLINE.exec(text)) {
    add(match, match[1] ?? match[2], match[0].startsWith('!'));
    INLINE.lastIndex = match.index + 1;
  }
  for (const match of text.matchAll(DEFINITION)) add(match, match[1] ?? match[2], false);
  for (const match of text.matchAll(HTML))
    add(match, match[2] ?? match[3] ?? match[4], match[1]?.toLowerCase() === 'img');
  return [...found.values()].sort((a, b) => a.offset - b.offset);
}

/** `bodyLine` is the file line where `body` starts. */
export function scanLinks(
  body: string,
  bodyLine: number,
): { links: InternalLink[]; files: FileLink[] } {
  const text = maskCode(body);
  const links: InternalLink[] = [];
  const files: FileLink[] = [];
  for (const { target, offset, image } of targets(text)) {
    const line = bodyLine + text.slice(0, offset).split('\n').length - 1;
    const slug = slugOf(target);
    if (slug !== undefined) links.push({ slug, line });
    else if (fileTarget(target)) files.push({ target, line, image });
  }
  return { links, files };
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
