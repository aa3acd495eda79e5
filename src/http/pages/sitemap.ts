/**
 * `/sitemap.xml` (sitemaps.org 0.9): exactly the published posts, the standalone pages (undated:
 * no `lastmod`), and the lists a reader starts from (the index, the tags page, each tag's first
 * page, the archive). Later pages of a list are left out: they only lead to posts that are listed
 * here already. `/robots.txt` names it.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { lastChanged, type PublishedView } from '../../content/site/published.ts';
import {
  ARCHIVE_PATH,
  indexPath,
  pagePath,
  postPath,
  SITEMAP_PATH,
  TAGS_PATH,
  tagPath,
} from '../paths.ts';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
});

const day = (date: Date | undefined) => date?.toISOString().slice(0, 10);

export function renderSitemap(siteUrl: string, view: PublishedView): string {
  const everything = day(lastChanged(view.posts));
  const list = (path: string, lastmod = everything) => ({
    loc: `${siteUrl}${path}`,
    ...(lastmod === undefined ? {} : { lastmod }),
  });
  const urls = [
    list(indexPath()),
    list(TAGS_PATH),
    ...[...view.tags.values()].map((tag) => list(tagPath(tag.name), day(lastChanged(tag.posts)))),
    list(ARCHIVE_PATH),
    ...view.posts.map((post) => list(postPath(post.slug), day(lastChanged([post])))),
    ...[...view.pages.keys()].sort().map((slug) => ({ loc: `${siteUrl}${pagePath(slug)}` })),
  ];
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    urlset: { '@_xmlns': 'http://www.sitemaps.org/schemas/sitemap/0.9', url: urls },
  });
}

export function renderRobots(siteUrl: string): string {
  return `User-agent: *\nAllow: /\n\nSitemap: ${siteUrl}${SITEMAP_PATH}\n`;
}
