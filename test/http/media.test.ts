/**
 * `/media/*` (issue #18): the files beside the posts and their variants, served by hashed URL with
 * immutable caching, an old hash redirected, nothing else reachable; and a post's cover in its
 * page, its link previews, its JSON-LD and the feeds. A real site loaded from the fixture post
 * folder, a real app on a real socket (so request paths reach it exactly as sent).
 */
import assert from 'node:assert/strict';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { loadTestSite, postSource, tempDir } from '../helpers/posts-dir.ts';

const FIXTURE_POSTS = fileURLToPath(new URL('../fixtures/media/posts/', import.meta.url));
const ORIGIN = 'https://blog.example';
const IMMUTABLE = 'public, max-age=31536000, immutable';

const root = await tempDir();
const postsDir = join(root, 'posts');
await cp(FIXTURE_POSTS, postsDir, { recursive: true });
await writeFile(join(postsDir, 'plain.md'), postSource({ title: 'Plain', date: '2026-02-01' }));
await mkdir(join(postsDir, '.hidden'));
await writeFile(join(postsDir, '.hidden', 'secret.txt'), 'secret');
const { site } = await loadTestSite({
  postsDir,
  cacheDir: join(root, 'cache'),
  url: ORIGIN,
  cards: {},
});
const config = loadConfig({ SITE_URL: ORIGIN, POSTS_DIR: postsDir }, []);
const app = buildApp(config, site, { logger: createLogger('silent') });
const base = await app.listen({ host: '127.0.0.1', port: 0 });
after(() => app.close());

/** A GET (or HEAD) with the path exactly as written: no client normalises `..` or escapes. */
function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }>(
    (resolve, reject) => {
      const { hostname, port } = new URL(base);
      const req = request({ hostname, port, path, method, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
      });
      req.on('error', reject);
      req.end();
    },
  );
}

const page = (await get('/posts/trip')).body.toString('utf8');
/** The URLs of the post's page, by the file's name and (for a variant) width and format. */
const urls = [...page.matchAll(/\/media\/[^\s"#]+/g)].map((match) => match[0]);
const find = (pattern: RegExp) => urls.find((url) => pattern.test(url)) ?? '';

describe('files and variants at /media/', () => {
  it('serves originals and variants by hashed URL, with their type, immutable for a year', async () => {
    for (const [pattern, type] of [
      [/photo\.[0-9a-f]{10}\.jpg$/, 'image/jpeg'],
      [/photo\.[0-9a-f]{10}-480w\.avif$/, 'image/avif'],
      [/photo\.[0-9a-f]{10}-1000w\.webp$/, 'image/webp'],
      [/diagram\.[0-9a-f]{10}\.svg$/, 'image/svg+xml'],
      [/notes\.[0-9a-f]{10}\.txt$/, 'text/plain; charset=utf-8'],
    ] as const) {
      const url = find(pattern);
      const response = await get(url);
      assert.equal(response.status, 200, url);
      assert.equal(response.headers['content-type'], type, url);
      assert.equal(response.headers['cache-control'], IMMUTABLE, url);
      assert.ok(response.body.length > 0, url);
    }
    const photo = await get(find(/photo\.[0-9a-f]{10}\.jpg$/));
    assert.equal(photo.headers['content-length'], '6021', 'the committed file, as it is');
  });

  it('answers HEAD and revalidation', async () => {
    const url = find(/photo\.[0-9a-f]{10}-960w\.avif$/);
    const head = await get(url, {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    const again = await get(url, { 'if-none-match': String(head.headers.etag) });
    assert.equal(again.status, 304);
  });

  it('sandboxes an SVG opened on its own: no script in it runs on the site', async () => {
    const svg = await get(find(/diagram\.[0-9a-f]{10}\.svg$/));
    assert.equal(
      svg.headers['content-security-policy'],
      "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    );
  });

  it('redirects an older hash of a file still shown to its current URL; anything else is 404', async () => {
    const current = find(/photo\.[0-9a-f]{10}\.jpg$/);
    const old = current.replace(/\.[0-9a-f]{10}\./, '.0123456789.');
    const moved = await get(old);
    assert.equal(moved.status, 301);
    assert.equal(moved.headers.location, current);
    assert.equal(moved.headers['cache-control'], 'public, max-age=60');
    const variant = find(/photo\.[0-9a-f]{10}-480w\.webp$/);
    const oldVariant = await get(variant.replace(/\.[0-9a-f]{10}-/, '.0123456789-'));
    assert.equal(oldVariant.headers.location, variant);
    for (const path of [
      '/media/trip/photo.jpg', // no hash: not a URL Quire gives out
      '/media/trip/photo.0123456789-123w.avif', // a width it does not make
      '/media/trip/index.0123456789.md', // the post itself
      '/media/plain.0123456789.md',
      '/media/trip/unknown.0123456789.png',
      '/media/.hidden/secret.0123456789.txt',
      '/media/site-index.0123456789.json',
      '/media/',
    ])
      assert.equal((await get(path)).status, 404, path);
  });

  it('has one form per address, and is only read (issue #19): another method is a 405', async () => {
    const photo = find(/photo\.[0-9a-f]{10}\.jpg$/);
    // Like an unknown asset: the route found nothing there, so no redirect to another form.
    for (const path of [`${photo}/`, '/media/trip/', '/media/nope.0123456789.png/']) {
      const response = await get(path);
      assert.equal(response.status, 404, path);
      assert.equal(response.headers.location, undefined, path);
    }
    for (const method of ['POST', 'PUT', 'DELETE']) {
      const response = await get(photo, {}, method);
      assert.equal(response.status, 405, `${method} ${photo}`);
      assert.equal(response.headers.allow, 'GET, HEAD', `${method} ${photo}`);
    }
  });

  it('never serves a file outside the posts folder and the render cache, however the path is written', async () => {
    const photo = find(/photo\.[0-9a-f]{10}\.jpg$/);
    for (const path of [
      '/media/../../etc/passwd',
      '/media/%2e%2e/%2e%2e/etc/passwd',
      '/media/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
      '/media/..%2f..%2f..%2fpackage.json',
      '/media/trip/../../../package.json',
      '/media/..%5c..%5cpackage.json',
      '/media/%252e%252e/%252e%252e/etc/passwd',
      `/media/trip/..${photo.slice('/media/trip'.length)}`,
      `${photo}/../../../../etc/passwd`,
      '/media/%00',
      '/media/%zz',
    ]) {
      const response = await get(path);
      assert.ok(response.status === 404 || response.status === 400, `${path}: ${response.status}`);
      assert.doesNotMatch(response.body.toString('utf8'), /root:|"name": "quire"/, path);
    }
  });
});

describe('a post’s cover', () => {
  const cover = find(/photo\.[0-9a-f]{10}\.jpg$/);

  it('is the first image of its page, loaded at once', () => {
    const first =
      /<div class="post-cover"><picture>.*?<img alt="The view from the top" src="([^"]+)" width="1000" height="625" fetchpriority="high" \/><\/picture><\/div>/.exec(
        page,
      );
    assert.equal(first?.[1], cover);
    assert.equal(page.match(/fetchpriority="high"/g)?.length, 1, 'only the cover');
  });

  it('is the link preview: og:image and twitter:image, absolute, with size and alt text', () => {
    for (const meta of [
      `<meta property="og:image" content="${ORIGIN}${cover}">`,
      '<meta property="og:image:type" content="image/jpeg">',
      '<meta property="og:image:width" content="1000">',
      '<meta property="og:image:height" content="625">',
      '<meta property="og:image:alt" content="The view from the top">',
      '<meta name="twitter:card" content="summary_large_image">',
      `<meta name="twitter:image" content="${ORIGIN}${cover}">`,
      '<meta name="twitter:image:alt" content="The view from the top">',
    ])
      assert.ok(page.includes(meta), meta);
  });

  it('is the image of its JSON-LD', () => {
    const json = /<script type="application\/ld\+json">(.*?)<\/script>/.exec(page)?.[1] ?? '';
    assert.deepEqual((JSON.parse(json) as { image: unknown }).image, {
      '@type': 'ImageObject',
      url: `${ORIGIN}${cover}`,
      width: 1000,
      height: 625,
    });
  });

  it('is its image in the feeds: an enclosure in Atom and RSS, "image" in JSON Feed', async () => {
    const atom = (await get('/feed.xml')).body.toString('utf8');
    assert.ok(
      atom.includes(
        `<link rel="enclosure" href="${ORIGIN}${cover}" type="image/jpg" length="6021"/>`,
      ),
    );
    const rss = (await get('/rss.xml')).body.toString('utf8');
    assert.ok(rss.includes(`<enclosure length="6021" type="image/jpeg" url="${ORIGIN}${cover}"/>`));
    const json = JSON.parse((await get('/feed.json')).body.toString('utf8')) as {
      items: { url: string; image?: string }[];
    };
    assert.deepEqual(
      json.items.map((item) => [item.url, item.image]),
      [
        [`${ORIGIN}/posts/trip`, `${ORIGIN}${cover}`],
        [`${ORIGIN}/posts/plain`, undefined],
      ],
    );
  });

  it('a post without one shows none; its link preview is its social card (social-cards.test.ts)', async () => {
    const plain = (await get('/posts/plain')).body.toString('utf8');
    assert.doesNotMatch(plain, /post-cover|"image"/);
    const previews = [
      ...plain.matchAll(/<meta (?:property|name)="(?:og|twitter):image" content="([^"]+)">/g),
    ];
    assert.equal(previews.length, 2);
    for (const [, url] of previews)
      assert.match(url ?? '', /\/media\/plain\.[0-9a-f]{10}-card\.png$/);
  });
});
