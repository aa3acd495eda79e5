/**
 * schema.org `BlogPosting` for a post page, as JSON ready to sit inside
 * `<script type="application/ld+json">`. The HTML parser ends that element at the first `</script`
 * whatever the JSON says, so `<`, `>` and `&` are written as JSON escapes (`\u003c`…): still the
 * same JSON, and no title or summary can close the element. U+2028/2029 are escaped for old
 * JavaScript parsers.
 */
import type { Post } from '../../content/types.ts';
import { postPath } from '../paths.ts';
import { absoluteAvatar, postAuthors } from './authors.ts';
import type { SiteMeta } from './site-meta.ts';

const UNSAFE = /[<>&\u2028\u2029]/g;

export function blogPostingJsonLd(site: SiteMeta, post: Post): string {
  // A cross-posted article's page is the original (front matter `canonical`, issue #18).
  const url = post.canonical ?? `${site.url}${postPath(post.slug)}`;
  const authors = postAuthors(site, post).map((author) => ({
    '@type': 'Person',
    name: author.name,
    url: author.url,
    image: absoluteAvatar(site, author),
  }));
  const json = JSON.stringify({
    '@context': 'https://schema.org',
    '@type': 'BlogPosting',
    headline: post.title,
    description: post.description,
    url,
    mainEntityOfPage: { '@type': 'WebPage', '@id': url },
    datePublished: post.date.toISOString(),
    dateModified: (post.updated ?? post.date).toISOString(),
    author: authors.length === 1 ? authors[0] : authors,
    publisher: { '@type': 'Organization', name: site.title, url: `${site.url}/` },
    keywords: post.tags,
    inLanguage: site.language,
    ...(post.cover && {
      image: {
        '@type': 'ImageObject',
        url: `${site.url}${post.cover.url}`,
        width: post.cover.width,
        height: post.cover.height,
      },
    }),
  });
  return json.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
