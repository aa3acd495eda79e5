/**
 * `/opensearch.xml`: the OpenSearch 1.1 description that lets a browser add the site's search
 * (https://github.com/dewitt/opensearch/blob/master/opensearch-1-1-draft-6.md); every page links
 * to it with `<link rel="search">`.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { OPENSEARCH_PATH, SEARCH_PATH } from '../paths.ts';
import type { SiteMeta } from './site-meta.ts';

export const OPENSEARCH_CONTENT_TYPE = 'application/opensearchdescription+xml; charset=utf-8';
/** The specification's limit for ShortName. */
const SHORT_NAME_LENGTH = 16;

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  format: true,
});

export function renderOpenSearch(site: SiteMeta): string {
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    OpenSearchDescription: {
      '@_xmlns': 'http://a9.com/-/spec/opensearch/1.1/',
      ShortName: [...site.title].slice(0, SHORT_NAME_LENGTH).join('').trim(),
      Description: `Search the posts of ${site.title}`,
      InputEncoding: 'UTF-8',
      Url: [
        { '@_type': 'text/html', '@_template': `${site.url}${SEARCH_PATH}?q={searchTerms}` },
        {
          '@_type': 'application/opensearchdescription+xml',
          '@_rel': 'self',
          '@_template': `${site.url}${OPENSEARCH_PATH}`,
        },
      ],
    },
  });
}
