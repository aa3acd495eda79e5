/**
 * `/sitemap.xml` (sitemaps.org 0.9): exactly the published posts, the standalone pages (undated:
 * no `lastmod`) and the lists a reader starts from (published-pages.ts says which). `/robots.txt`
 * names it.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { lastChanged, type PublishedView } from '../../content/site/published.ts';
import { SITEMAP_PATH } from '../paths.ts';
import { pathOf } from './page-ref.ts';
import { sitemapPages } from './published-pages.ts';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
});

const day = (date: Date | undefined) => date?.toISOString().slice(0, 10);

export function renderSitemap(siteUrl: string, view: PublishedView): string {
  const urls = sitemapPages(view).map(({ ref, posts }) => {
    const lastmod = day(lastChanged(posts));
    return { loc: `${siteUrl}${pathOf(ref)}`, ...(lastmod === undefined ? {} : { lastmod }) };
  });
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    urlset: { '@_xmlns': 'http://www.sitemaps.org/schemas/sitemap/0.9', url: urls },
  });
}

export function renderRobots(siteUrl: string): string {
  return `User-agent: *\nAllow: /\n\nSitemap: ${siteUrl}${SITEMAP_PATH}\n`;
}
