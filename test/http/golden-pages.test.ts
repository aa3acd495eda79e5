/**
 * Golden pages of the sample blog (issue #17: "Pages are byte-identical to today's for the same
 * posts"). Recorded from the pre-rendering page store before pages were rendered on demand, and
 * compared byte for byte since: every page a reader can reach from the home page, the feeds, the
 * sitemap and robots.txt (found by following links, not from a list of routes), with the headers
 * a cache or browser relies on. The sample is the whole blog: its posts, its standalone pages and
 * its site file, quire.yaml (issue #18), with only SITE_URL given from outside. Two moments:
 * before and after the sample's scheduled post goes live. `UPDATE_GOLDEN=1 npm test` rewrites the
 * files after a deliberate change of the theme.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { SiteLoader } from '../../src/content/site/site-loader.ts';
import { createLogger } from '../../src/log.ts';
import { loaderOptions } from '../../src/process/load.ts';
import { crawl } from '../helpers/crawl.ts';
import { tempDir } from '../helpers/posts-dir.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/pages/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ORIGIN = 'https://blog.example';
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const HEADERS = ['content-type', 'etag', 'last-modified', 'cache-control', 'location'] as const;

interface Recorded {
  status: number;
  headers: Partial<Record<(typeof HEADERS)[number], string>>;
  sha256: string;
  /**
   * File of the body under the moment's folder, to diff after a failure. Not kept for the tag
   * feeds (full text of every post again, most of the bytes): their hash is compared.
   */
  body?: string;
}

const fileFor = (path: string) =>
  `${path === '/' ? 'index' : path.replace(/^\//, '').replace(/[^A-Za-z0-9._-]+/g, '_')}.body`;

async function crawlSample(now: Date): Promise<Map<string, { recorded: Recorded; bytes: Buffer }>> {
  const config = loadConfig(
    {
      SITE_URL: ORIGIN,
      SITE_FILE: join(ROOT, 'quire.yaml'),
      POSTS_DIR: join(ROOT, 'posts'),
      CACHE_DIR: await tempDir(),
    },
    [],
  );
  const loader = new SiteLoader(loaderOptions(config));
  await loader.load();
  const site = loader.site({ title: config.siteTitle, url: config.siteUrl });
  const app = buildApp(config, site, { logger: createLogger('silent'), now: () => now });
  const pages = new Map<string, { recorded: Recorded; bytes: Buffer }>();
  try {
    const start = ['/', '/feed.xml', '/rss.xml', '/feed.json', '/sitemap.xml', '/robots.txt'];
    start.push('/posts/no-such-post'); // the 404 page, with a fixed request id
    // Redirects: an alias, a former file name (front matter slug), the first page of a list.
    start.push('/posts/front-matter', '/posts/scheduled-posts-and-permalinks', '/page/1', '/tags');
    const responses = await crawl(app, ORIGIN, start, { 'x-request-id': 'golden' });
    for (const [path, response] of responses) {
      const headers: Recorded['headers'] = {};
      for (const name of HEADERS) {
        const value = response.headers[name];
        if (value !== undefined) headers[name] = String(value);
      }
      const bytes = response.rawPayload;
      const recorded: Recorded = {
        status: response.statusCode,
        headers,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      };
      if (!/^\/tags\/[^/]+\/(?:feed|rss)\./.test(path)) recorded.body = fileFor(path);
      pages.set(path, { recorded, bytes });
    }
  } finally {
    await app.close();
  }
  return pages;
}

const MOMENTS = {
  // The sample's scheduled post ("Scheduled posts, permalinks and feeds") is dated 2027-01-04.
  'before-scheduled': new Date('2026-12-01T12:00:00Z'),
  'after-scheduled': new Date('2027-01-05T12:00:00Z'),
};

describe('golden pages of the sample blog', () => {
  for (const [moment, now] of Object.entries(MOMENTS)) {
    it(`every reachable page is byte-identical to the recorded one (${moment})`, async () => {
      const dir = join(FIXTURES, moment);
      const pages = await crawlSample(now);
      assert.ok(pages.size > 20, `crawled only ${pages.size} pages`);
      if (UPDATE) {
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
        const index: Record<string, Recorded> = {};
        for (const [path, { recorded, bytes }] of [...pages].sort(([a], [b]) =>
          a.localeCompare(b),
        )) {
          index[path] = recorded;
          if (recorded.body) await writeFile(join(dir, recorded.body), bytes);
        }
        await writeFile(join(dir, 'pages.json'), `${JSON.stringify(index, null, 2)}\n`);
        return;
      }
      const index = JSON.parse(await readFile(join(dir, 'pages.json'), 'utf8')) as Record<
        string,
        Recorded
      >;
      assert.deepEqual([...pages.keys()].sort(), Object.keys(index).sort(), 'the same pages');
      for (const [path, { recorded, bytes }] of pages) {
        const expected = index[path] as Recorded;
        assert.deepEqual(recorded, expected, `status, headers and body hash of ${path}`);
        if (expected.body) {
          const golden = await readFile(join(dir, expected.body));
          assert.ok(
            bytes.equals(golden),
            `body of ${path} differs from ${join(moment, expected.body)}`,
          );
        }
      }
    });
  }
});
