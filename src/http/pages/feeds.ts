/**
 * Atom, RSS and JSON Feed 1.1 documents, through the `feed` package (issue #3).
 *
 * Full content, every URL absolute (see `absoluteUrls`). Dates: Atom `published`/RSS `pubDate`/
 * JSON `date_published` are the post's `date`; Atom `updated`/JSON `date_modified` are `updated`
 * when there is one, else `date`. The feed's own `updated` is the newest of those, never the
 * clock, so every worker renders byte-identical feeds (one ETag).
 *
 * Entry ids (RFC 4151) are `tag:<SITE_URL host>,<publication date>:<file name>`, not the slug:
 * renaming a post through front matter `slug` keeps its id, so feed readers do not show it twice.
 *
 * Authors (issue #18) in each format's own form: an Atom `<author>` per author, RSS
 * `<dc:creator>` (RSS's `<author>` must be an email address), JSON Feed 1.1 `authors`. The entry
 * link stays the post on this site even when front matter `canonical` names an original.
 */
import { escapeUTF8 } from 'entities';
import { Feed } from 'feed';
import { absoluteUrls } from '../../content/markdown/absolute-urls.ts';
import { fileSlug, lastChanged } from '../../content/site/published.ts';
import type { Post } from '../../content/types.ts';
import { type FeedFormat, feedPath, postPath, tagPath } from '../paths.ts';
import { absoluteAvatar, postAuthors } from './authors.ts';
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
    // Empty, not the title, when the writer gave none (issue #19): RSS keeps its required element.
    description: site.description || undefined,
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
  if (format === 'json') {
    feed.addExtension(extension('language', site.language));
    feed.addExtension(extension('authors', [{ name: site.author, url: `${site.url}/` }]));
  }
  for (const [i, post] of entries.entries()) {
    const link = `${site.url}${postPath(post.slug)}`;
    const authors = postAuthors(site, post).map((author) => ({
      name: author.name,
      link: author.url,
      avatar: absoluteAvatar(site, author),
    }));
    feed.addItem({
      id: entryId(site, post),
      // Atom titles are written as `type="html"` and RSS readers decode entities in titles, so
      // both get HTML text; a JSON Feed title is plain text.
      title: format === 'json' ? post.title : escapeUTF8(post.title),
      link,
      date: post.updated && post.updated > post.date ? post.updated : post.date,
      published: post.date,
      description: post.description,
      content: cdataSafe(absoluteUrls(bodies[i] ?? '', link, site.url)),
      author: format === 'rss' ? undefined : authors,
      category: post.tags.map((name) => ({ name, term: name })),
      // Atom: a link rel="enclosure"; RSS: an <enclosure>; JSON Feed: "image".
      image: post.cover && {
        url: `${site.url}${post.cover.url}`,
        type: post.cover.type,
        length: post.cover.bytes,
      },
      extensions:
        format === 'rss'
          ? [
              extension(
                'dc:creator',
                authors.map(({ name }) => ({ _text: name })),
              ),
            ]
          : format === 'json'
            ? [extension('authors', authors.map(jsonAuthor))]
            : [],
    });
  }
  if (format === 'atom') return feed.atom1();
  if (format === 'rss') return feed.rss2();
  // The package writes version 1; `authors` and `language` (added above) are 1.1's.
  return feed.json1().replace(JSON_FEED_1, JSON_FEED_1_1);
}

const JSON_FEED_1 = '"version": "https://jsonfeed.org/version/1"';
const JSON_FEED_1_1 = '"version": "https://jsonfeed.org/version/1.1"';

/**
 * An element (RSS, as xml-js objects: a list repeats it) or a key (JSON Feed) of the package's
 * output. It writes any value; its type says an object.
 */
function extension(name: string, objects: unknown) {
  return { name, objects: objects as Record<string, unknown> };
}

/** JSON Feed 1.1's author object: the same fields as the package's, named as the spec names them. */
function jsonAuthor(author: {
  name: string;
  link?: string | undefined;
  avatar?: string | undefined;
}) {
  return { name: author.name, url: author.link, avatar: author.avatar };
}
