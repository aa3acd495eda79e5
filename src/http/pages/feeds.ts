/**
 * Atom, RSS and JSON Feed documents, through the `feed` package (issue #3).
 *
 * Full content, every URL absolute (see `absoluteUrls`). Dates: Atom `published`/RSS `pubDate`/
 * JSON `date_published` are the post's `date`; Atom `updated`/JSON `date_modified` are `updated`
 * when there is one, else `date`. The feed's own `updated` is the newest of those, never the
 * clock, so every worker renders byte-identical feeds (one ETag).
 *
 * Entry ids (RFC 4151) are `tag:<SITE_URL host>,<publication date>:<file name>`, not the slug:
 * renaming a post through front matter `slug` keeps its id, so feed readers do not show it twice.
 */
import { escapeUTF8 } from 'entities';
import { Feed } from 'feed';
import { absoluteUrls } from '../../content/markdown/absolute-urls.ts';
import { fileSlug, lastChanged } from '../../content/site/published.ts';
import type { Post } from '../../content/types.ts';
import { type FeedFormat, feedPath, postPath, tagPath } from '../paths.ts';
import type { SiteMeta } from './site-meta.ts';

/** Feeds carry the newest posts only: full content makes every entry weigh a page. */
export const FEED_ENTRIES = 20;

export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  atom: 'application/atom+xml; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

export function entryId(site: SiteMeta, post: Post): string {
  const host = new URL(site.url).hostname;
  return `tag:${host},${post.date.toISOString().slice(0, 10)}:${fileSlug(post)}`;
}

/**
 * CDATA ends at the first `]]>`. In HTML, `]]&gt;` means the same in text and in attribute
 * values, and the `feed` package only guards against the first occurrence.
 */
const cdataSafe = (html: string) => html.replaceAll(']]>', ']]&gt;');

/**
 * `entries`: the newest `FEED_ENTRIES` posts, newest first, and their body HTML; `tag` for a
 * tag's feed.
 */
export function renderFeed(
  site: SiteMeta,
  entries: readonly Post[],
  bodies: readonly string[],
  format: FeedFormat,
  tag?: string,
): string {
  const home = `${site.url}${tag === undefined ? '/' : tagPath(tag)}`;
  const updated = lastChanged(entries) ?? new Date(0);
  const feed = new Feed({
    id: home,
    title: tag === undefined ? site.title : `${site.title}: ${tag}`,
    description: site.description || site.title,
    link: home,
    language: site.language,
    updated,
    generator: 'Quire',
    author: { name: site.author, link: `${site.url}/` },
    feedLinks: {
      atom: `${site.url}${feedPath('atom', tag)}`,
      rss: `${site.url}${feedPath('rss', tag)}`,
      json: `${site.url}${feedPath('json', tag)}`,
    },
  });
  for (const [i, post] of entries.entries()) {
    const link = `${site.url}${postPath(post.slug)}`;
    feed.addItem({
      id: entryId(site, post),
      // Atom titles are written as `type="html"` and RSS readers decode entities in titles, so
      // both get HTML text; a JSON Feed title is plain text.
      title: format === 'json' ? post.title : escapeUTF8(post.title),
      link,
      date: post.updated && post.updated > post.date ? post.updated : post.date,
      published: post.date,
      description: post.summary,
      content: cdataSafe(absoluteUrls(bodies[i] ?? '', link, site.url)),
      author: [{ name: site.author }],
      category: post.tags.map((name) => ({ name, term: name })),
      // Atom: a link rel="enclosure"; RSS: an <enclosure>; JSON Feed: "image".
      image: post.cover && {
        url: `${site.url}${post.cover.url}`,
        type: post.cover.type,
        length: post.cover.bytes,
      },
    });
  }
  if (format === 'atom') return feed.atom1();
  if (format === 'rss') return feed.rss2();
  return feed.json1();
}
