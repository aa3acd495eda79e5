/**
 * Who wrote a post, as people (issue #18): the site file's authors its front matter names, else
 * the site's author (SITE_AUTHOR, by default the site file's first author), with their link when
 * the site file has one. For the byline, JSON-LD and the feeds alike.
 */
import type { Post } from '../../content/types.ts';
import type { Author } from '../../settings/site-file-schema.ts';
import type { SiteMeta } from './site-meta.ts';

export function postAuthors(site: SiteMeta, post: Post): Author[] {
  const named = post.authors.flatMap((key) => site.authors[key] ?? []);
  if (named.length > 0) return named;
  const known = Object.values(site.authors).find((author) => author.name === site.author);
  return [known ?? { name: site.author }];
}

/** An avatar written as a path of this site, made absolute for feeds and JSON-LD. */
export function absoluteAvatar(site: SiteMeta, author: Author): string | undefined {
  return author.avatar?.startsWith('/') ? `${site.url}${author.avatar}` : author.avatar;
}
