/**
 * `npm run export` (issue #18 item 7): every exported file is byte for byte what the running
 * server (`src/server.ts`, a real process over HTTP) sends for its address; the export is
 * complete (every sitemap entry and every link of every page is a file of it) and holds no draft
 * or scheduled post; moved addresses are redirects in both forms; it refuses a folder it did not
 * make unless --force; and exporting again writes the same files.
 */
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type DefaultTreeAdapterMap, parse } from 'parse5';
import { addressOf, filesIn, snapshot, tryFiles } from '../helpers/static-site.ts';
import sharp from 'sharp';
import { tempDir, writePosts } from '../helpers/posts-dir.ts';
import { startServer } from '../helpers/server-process.ts';
import { runCli } from './run.ts';

const SITE_URL = 'https://blog.example';
/** Request headers the export's 404 page is asked with (it shows the request id). */
const NOT_FOUND_HEADERS = { 'x-request-id': 'static-export' };

/** Five published posts (three pages of two), a draft, a scheduled post, moved addresses. */
const POSTS = {
  'alpha.md': { title: 'Alpha', date: '2026-01-01', extra: 'tags: [guide, two words]' },
  'beta.md': {
    title: 'Beta',
    date: '2026-01-02',
    extra: 'tags: [guide, café]\naliases: [old-beta]',
    body: 'Some code:\n\n```js\nconst x = 1;\n```\n',
  },
  'gamma-file.md': { title: 'Gamma', date: '2026-01-03', extra: 'slug: gamma\ntags: [guide]' },
  'delta.md': { title: 'Delta', date: '2026-01-04', body: '![A red square](red.png)\n' },
  'epsilon.md': { title: 'Epsilon', date: '2026-01-05', extra: 'tags: [guide]' },
  'wip.md': {
    title: 'Secret draft',
    date: '2026-01-06',
    extra: 'draft: true\ntags: [guide]',
    body: '![A secret](secret.png)\n',
  },
  'later.md': { title: 'Far future post', date: '2099-01-01', extra: 'tags: [guide, later]' },
};

/** A standalone page, and one that is a draft. */
const PAGES = {
  'about.md': '---\ntitle: About this blog\n---\nWho writes here.\n',
  'secret.md': '---\ntitle: Secret page\ndraft: true\n---\nNot yet.\n',
};

async function blog(posts: Parameters<typeof writePosts>[1] = POSTS) {
  const root = await tempDir('quire-export-');
  const postsDir = join(root, 'posts');
  await mkdir(postsDir);
  await writePosts(postsDir, posts);
  // Images beside the posts (issue #18): one a published post shows, one only a draft shows.
  for (const [name, background] of [
    ['red.png', '#c00'],
    ['secret.png', '#00c'],
  ] as const) {
    const image = sharp({ create: { width: 640, height: 400, channels: 3, background } });
    await image.png().toFile(join(postsDir, name));
  }
  const pagesDir = join(root, 'pages');
  await mkdir(pagesDir);
  await writePosts(pagesDir, posts === POSTS ? PAGES : {});
  // Both the server and the export read this site file, not the one of their working folders.
  const siteFile = join(root, 'quire.yaml');
  await writeFile(siteFile, 'title: Export test blog\n');
  const env = {
    POSTS_DIR: postsDir,
    PAGES_DIR: pagesDir,
    SITE_FILE: siteFile,
    CACHE_DIR: join(root, 'cache'),
    SITE_URL,
    PAGE_SIZE: '2',
  };
  return { root, postsDir, env };
}

const exportTo = (site: { root: string; env: Record<string, string> }, ...args: string[]) =>
  runCli('export.ts', args, { cwd: site.root, env: site.env });

/** Every element of a parsed document, depth first. */
function* elements(
  node: DefaultTreeAdapterMap['parentNode'],
): Generator<DefaultTreeAdapterMap['element']> {
  for (const child of node.childNodes) {
    if ('tagName' in child) {
      yield child;
      yield* elements(child);
    }
  }
}

const attribute = (element: DefaultTreeAdapterMap['element'], name: string) =>
  element.attrs.find((attr) => attr.name === name)?.value;

/** Where an exported redirect page sends the reader, checked to be well-formed HTML. */
function redirectTarget(html: string): {
  refresh: string | undefined;
  canonical: string | undefined;
} {
  const errors: string[] = [];
  const document = parse(html, { onParseError: (error) => errors.push(error.code) });
  assert.deepEqual(errors, [], 'the redirect page parses without an error');
  let refresh: string | undefined;
  let canonical: string | undefined;
  for (const element of elements(document)) {
    if (element.tagName === 'meta' && attribute(element, 'http-equiv') === 'refresh')
      refresh = attribute(element, 'content');
    if (element.tagName === 'link' && attribute(element, 'rel') === 'canonical')
      canonical = attribute(element, 'href');
  }
  return { refresh, canonical };
}

/**
 * The blog of POSTS served by a real server process, started first so that it fills the render
 * cache as `npm start` does, then exported with the same settings. At the top level, so that the
 * server and folders are cleaned up after the whole file.
 */
async function exportBesideServer() {
  const site = await blog();
  const server = startServer({ ...site.env, WORKERS: '1' });
  const base = await Promise.race([
    server.listening,
    server.exited.then((code) => {
      throw new Error(`server exited (${code}): ${server.stderr()}`);
    }),
  ]);
  const dir = join(site.root, 'public');
  const result = await exportTo(site, dir);
  assert.equal(result.code, 0, result.stderr);
  return { dir, base, files: await filesIn(dir), stdout: result.stdout };
}

const exported = await exportBesideServer();

describe('npm run export', () => {
  describe('a blog exported beside its running server', () => {
    const { dir, base, files, stdout } = exported;
    const get = (url: string, headers: Record<string, string> = {}) =>
      fetch(new URL(url, base), { redirect: 'manual', headers });

    it('renders nothing after a start: it reads the render cache the server wrote', () => {
      assert.match(
        stdout,
        /^7 posts and 2 pages \(0 rendered, 9 already cached\): \d+ files and 2 redirects written to .*public/,
      );
    });

    it('writes every file as the server sends it for the file’s address', async () => {
      const pages = files.filter(
        (file) => !['.quire-export', '_redirects', '404.html'].includes(file),
      );
      assert.ok(pages.length > 30, `only ${pages.length} files`);
      for (const file of pages) {
        const url = addressOf(file);
        const response = await get(url);
        const bytes = await readFile(join(dir, file));
        if (response.status === 301) {
          // A moved address: the file is its redirect page, checked below.
          assert.match(bytes.toString(), /http-equiv="refresh"/, file);
          continue;
        }
        assert.equal(response.status, 200, `${url} (${file})`);
        const served = Buffer.from(await response.arrayBuffer());
        assert.ok(served.equals(bytes), `${file} differs from GET ${url}`);
      }
    });

    it('writes the theme’s 404 page as 404.html, as the server sends it', async () => {
      const response = await get('/404.html', NOT_FOUND_HEADERS);
      assert.equal(response.status, 404);
      const page = await readFile(join(dir, '404.html'));
      assert.ok(Buffer.from(await response.arrayBuffer()).equals(page));
      const html = page.toString();
      assert.match(html, /<h1 id="error-title">404 · Not Found<\/h1>/);
      assert.match(html, /<link rel="stylesheet" href="\/assets\/style\.[0-9a-f]{10}\.css">/);
    });

    it('is complete: every sitemap entry and every link of every page is a file of the export', async () => {
      const set = new Set(files);
      const sitemap = await (await get('/sitemap.xml')).text();
      const locations = [...sitemap.matchAll(/<loc>([^<]+)<\/loc>/g)].map((m) => m[1] ?? '');
      assert.ok(locations.length >= 10);
      for (const location of locations) {
        assert.ok(location.startsWith(SITE_URL), location);
        const url = location.slice(SITE_URL.length);
        assert.ok(tryFiles(set, url), `${url} (in the sitemap) has no file`);
      }
      const linked = new Set<string>();
      for (const file of files.filter((name) => name.endsWith('.html'))) {
        const html = await readFile(join(dir, file), 'utf8');
        for (const [, link = ''] of html.matchAll(/(?:href|src)="(\/(?!\/)[^"#]*)/g))
          linked.add(link.replaceAll('&amp;', '&'));
        for (const [, list = ''] of html.matchAll(/srcset="([^"]*)"/g))
          for (const candidate of list.split(','))
            linked.add(candidate.trim().split(/\s+/)[0] ?? '');
      }
      const media = [...linked].filter((url) => url.startsWith('/media/'));
      assert.ok(
        media.some((url) => /\/media\/red\.[0-9a-f]{10}\.png$/.test(url)),
        'the image',
      );
      assert.ok(
        media.some((url) => url.endsWith('.avif')) && media.some((url) => url.endsWith('.webp')),
      );
      assert.ok(linked.has('/page/3') && linked.has('/tags/guide/page/2'), 'numbered pages');
      assert.ok(linked.has('/tags/two%20words') && linked.has('/tags/caf%C3%A9'));
      assert.ok(locations.includes(`${SITE_URL}/about/`), 'the standalone page');
      for (const url of linked) assert.ok(tryFiles(set, url), `${url} (a link) has no file`);
      for (const url of ['/tags/guide/feed.xml', '/tags/café/rss.xml', '/feed.json', '/robots.txt'])
        assert.ok(tryFiles(set, url), url);
    });

    it('holds no draft and no scheduled post, nor their tags, nor a draft page', async () => {
      for (const file of files) {
        const text = await readFile(join(dir, file), 'utf8');
        assert.doesNotMatch(
          text,
          /Secret draft|Far future post|posts\/wip|posts\/later|Secret page/,
          file,
        );
      }
      assert.ok(!files.some((file) => file.startsWith('tags/later') || file.startsWith('secret')));
      assert.ok(!files.some((file) => file.startsWith('media/secret')), 'a draft’s image');
      assert.ok(
        files.some((file) => file.startsWith('media/red.')),
        'a published post’s image',
      );
      assert.ok(files.includes('about/index.html'));
      assert.equal((await get('/posts/wip')).status, 404, 'the server agrees');
    });

    it('redirects each moved address in _redirects and with an HTML page at the old address', async () => {
      const redirects = await readFile(join(dir, '_redirects'), 'utf8');
      assert.deepEqual(redirects.trimEnd().split('\n').sort(), [
        '/posts/gamma-file /posts/gamma 301',
        '/posts/old-beta /posts/beta 301',
      ]);
      for (const [old, current] of [
        ['old-beta', 'beta'],
        ['gamma-file', 'gamma'],
      ]) {
        const served = await get(`/posts/${old}`);
        assert.equal(served.status, 301);
        assert.equal(served.headers.get('location'), `/posts/${current}`);
        const page = await readFile(join(dir, 'posts', `${old}.html`), 'utf8');
        assert.deepEqual(redirectTarget(page), {
          refresh: `0; url=/posts/${current}`,
          canonical: `${SITE_URL}/posts/${current}`,
        });
      }
    });
  });

  it('refuses a non-empty folder it did not make, naming it; --force writes into it, keeping its files', async () => {
    const site = await blog({ 'one.md': { title: 'One' } });
    const dir = join(site.root, 'public');
    await mkdir(dir);
    await writeFile(join(dir, 'notes.txt'), 'mine');
    const refused = await exportTo(site, dir);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      `quire: ${dir} is not empty and no export wrote it (it has no .quire-export): ` +
        'export into a new or empty folder, or add --force to write into this one anyway\n',
    );
    assert.deepEqual(await filesIn(dir), ['notes.txt'], 'nothing written');

    const forced = await exportTo(site, dir, '--force');
    assert.equal(forced.code, 0, forced.stderr);
    assert.ok((await filesIn(dir)).includes('posts/one.html'));
    assert.equal(await readFile(join(dir, 'notes.txt'), 'utf8'), 'mine');

    // Now the folder is an export's: writing again needs no --force, and keeps the foreign file.
    const again = await exportTo(site, dir);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(await readFile(join(dir, 'notes.txt'), 'utf8'), 'mine');

    const file = join(site.root, 'a-file');
    await writeFile(file, '');
    const notFolder = await exportTo(site, file);
    assert.deepEqual([notFolder.code, notFolder.stderr], [1, `quire: ${file} is not a folder\n`]);
    const under = await exportTo(site, join(file, 'public'));
    assert.equal(under.code, 1);
    assert.match(
      under.stderr,
      /^quire: cannot use .*a-file\/public for the export: ENOTDIR: not a directory/,
    );
  });

  it('stops at a file it cannot write, naming it', async () => {
    const site = await blog({ 'one.md': { title: 'One' } });
    const dir = join(site.root, 'public');
    assert.equal((await exportTo(site, dir)).code, 0);
    // A file where the export needs a folder: nothing can be written under it.
    await rm(join(dir, 'posts'), { recursive: true });
    await writeFile(join(dir, 'posts'), 'in the way');
    const result = await exportTo(site, dir);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^quire: cannot write .*public\/posts\/one\.html: EEXIST/);
  });

  it('writes the same files when run twice; over an export, deletes only what it no longer writes', async () => {
    const site = await blog({
      'one.md': { title: 'One', extra: 'tags: [solo]' },
      'two.md': { title: 'Two', date: '2026-01-02' },
    });
    const dir = join(site.root, 'fresh');
    assert.equal((await exportTo(site, dir)).code, 0);
    const first = await snapshot(dir);
    assert.equal((await exportTo(site, dir, '--force')).code, 0);
    assert.deepEqual(await snapshot(dir), first);

    await writeFile(join(dir, 'extra.txt'), 'added by hand');
    await rm(join(site.postsDir, 'one.md'));
    assert.equal((await exportTo(site, dir)).code, 0);
    const files = await filesIn(dir);
    assert.ok(!files.includes('posts/one.html') && !files.some((f) => f.startsWith('tags/solo')));
    assert.ok(files.includes('posts/two.html') && files.includes('extra.txt'));
  });

  it('names each address no static host can serve as a file, and writes the others', async () => {
    const site = await blog({ 'one.md': { title: 'One', extra: 'tags: [a/b, fine]' } });
    const dir = join(site.root, 'public');
    const result = await exportTo(site, dir);
    assert.equal(result.code, 1);
    const problems = result.stderr.trimEnd().split('\n');
    const name = '"a/b" cannot be a file name on a static host (it holds "/", "\\" or a NUL)';
    assert.deepEqual(problems, [
      `quire: /tags/a%2Fb: ${name}`,
      `quire: /tags/a%2Fb/feed.xml: ${name}`,
      `quire: /tags/a%2Fb/rss.xml: ${name}`,
      `quire: /tags/a%2Fb/feed.json: ${name}`,
      'quire: 4 URLs could not be exported',
    ]);
    const files = await filesIn(dir);
    assert.ok(files.includes('posts/one.html') && files.includes('tags/fine.html'));
  });

  it('exits 2 without a folder, or with a bad setting, naming it', async () => {
    const site = await blog({ 'one.md': {} });
    const usage = await exportTo(site);
    assert.equal(usage.code, 2);
    assert.match(
      usage.stderr,
      /^quire: give the folder to export into as one argument\nusage: npm run export -- <dir> \[--force\]\n$/,
    );
    const bad = await runCli('export.ts', ['out'], {
      cwd: site.root,
      env: { ...site.env, PAGE_SIZE: 'lots' },
    });
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /^quire: invalid configuration: PAGE_SIZE must be a number of posts per page/,
    );
  });
});
