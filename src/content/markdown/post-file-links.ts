/**
 * A post may link to another by its file, `[next](other-post.md)` or `[part](./a/b.md#setup)`,
 * as on GitHub and in editors. On the site that post lives at `/posts/<its default slug>`: the
 * renderer rewrites such links, and `npm run check` reports the ones that name no post. Links
 * with a scheme or an absolute path are left alone.
 */
import { posix } from 'node:path';

/**
 * The slug a post file gets unless front matter sets one: its file name without `.md`, and for
 * `index.md` its folder's name, so `posts/<slug>/index.md` is a post with its files beside it
 * (Hugo's page bundles, issue #18). `/` or the platform's separator between folders.
 */
export function defaultSlug(file: string): string {
  const parts = file.split(/[\\/]/);
  const name = posix.basename(parts.at(-1) ?? '', '.md');
  return name === 'index' && parts.length > 1 ? (parts.at(-2) ?? name) : name;
}

const MD_FILE = /^(?![a-z][a-z0-9+.-]*:|\/)([^?#]*\.md)([?#].*)?$/i;

interface PostFileLink {
  /** The file name without `.md`, as written (still percent-encoded). */
  name: string;
  /** The query and fragment, as written. */
  suffix: string;
}

function parse(target: string): PostFileLink | undefined {
  const match = MD_FILE.exec(target);
  if (!match?.[1]) return undefined;
  return { name: defaultSlug(match[1]), suffix: match[2] ?? '' };
}

/** The slug a relative `.md` link points at, or undefined when it is not one. */
export function postFileSlug(target: string): string | undefined {
  const link = parse(target);
  if (!link) return undefined;
  try {
    return decodeURIComponent(link.name);
  } catch {
    return link.name;
  }
}

/** The site path for a relative `.md` link, or undefined when it is not one. */
export function postFileHref(target: string): string | undefined {
  const link = parse(target);
  return link && `/posts/${link.name}${link.suffix}`;
}
