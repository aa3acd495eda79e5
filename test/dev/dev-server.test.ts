/**
 * `npm run dev` end to end: a real dev server process on a temporary posts directory, real file
 * writes picked up by its watcher, real HTTP and a real live-reload (SSE) client. The tests run
 * in order and share the server: each one leaves the posts as the next one expects.
 */
import assert from 'node:assert/strict';
import { copyFile, cp, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { fetch } from 'undici';
import { postSource, tempDir, writePosts } from '../helpers/posts-dir.ts';
import {
  type DevProcess,
  eventually,
  type EventStream,
  openEvents,
  startDevServer,
} from './dev-process.ts';

const REPO_POSTS = fileURLToPath(new URL('../../posts/', import.meta.url));
const REPO_TEMPLATES = fileURLToPath(new URL('../../templates/', import.meta.url));

const alphaBody = (prose: string, code = 'const answer = 42;') =>
  `${prose}\n\n\`\`\`ts\n${code}\n\`\`\`\n\n\`\`\`python\nprint("hello")\n\`\`\`\n`;

// Started once for the file, at top level: `after` hooks registered in a `before` would run as
// soon as that hook ends (killing the server, removing the directory).
const posts = await tempDir('quire-dev-posts-');
const cache = await tempDir('quire-dev-cache-');
// A copy of the theme, so the template test never touches the repository's files.
const templates = await tempDir('quire-dev-templates-');
await cp(REPO_TEMPLATES, templates, { recursive: true });
const BASE_TEMPLATE = join(templates, 'base.njk');
await copyFile(join(REPO_POSTS, 'welcome-to-quire.md'), join(posts, 'welcome-to-quire.md'));
await cp(join(REPO_POSTS, 'images'), join(posts, 'images'), { recursive: true }); // its image
await copyFile(join(REPO_POSTS, 'deploying-quire.md'), join(posts, 'deploying-quire.md'));
await writePosts(posts, {
  'alpha.md': { title: 'Alpha', date: '2026-01-02', body: alphaBody('First words.') },
  'beta.md': { title: 'Beta', date: '2026-01-03', body: 'Beta text.\n' },
  'draft.md': { title: 'A draft', date: '2026-01-04', extra: 'draft: true' },
  'future.md': { title: 'From the future', date: '2099-01-01' },
});
// Its own pages and site file (issue #18), which the tests edit.
const pages = await tempDir('quire-dev-pages-');
await writePosts(pages, { 'about.md': '---\ntitle: About\n---\nAbout this blog.\n' });
const siteFile = join(await tempDir('quire-dev-site-'), 'quire.yaml');
const SITE_FILE_TEXT = 'title: Dev notes\nmenu:\n  - label: About\n    url: /about/\n';
await writeFile(siteFile, SITE_FILE_TEXT);
const dev: DevProcess = await startDevServer({
  POSTS_DIR: posts,
  PAGES_DIR: pages,
  SITE_FILE: siteFile,
  CACHE_DIR: cache,
  TEMPLATES_DIR: templates,
  LOG_LEVEL: 'info',
});
const events: EventStream = await openEvents(dev.url);
after(() => events.close());

const get = async (path: string) => {
  const response = await fetch(`${dev.url}${path}`, { redirect: 'manual' });
  return { status: response.status, headers: response.headers, body: await response.text() };
};
const write = (name: string, source: string) => {
  events.clear();
  return writeFile(join(posts, name), source);
};

describe('dev server', () => {
  it('shows drafts and scheduled posts with a badge, and the reload script', async () => {
    const index = await get('/');
    assert.equal(index.status, 200);
    assert.match(index.body, /A draft<\/a> <span class="dev-badge">Draft<\/span>/);
    assert.match(index.body, /From the future<\/a> <span class="dev-badge">Scheduled<\/span>/);
    assert.match(index.body, /Alpha<\/a><\/h2>/, 'a published post has no badge');
    assert.match(index.body, /<script src="\/__dev\/reload.js" defer><\/script>/);
    assert.doesNotMatch(index.body, /<script>/, 'no inline script');
    // A draft or scheduled post's page says so where a published one says "Published".
    const draft = await get('/posts/draft');
    assert.match(
      draft.body,
      /<strong class="dev-badge">Draft<\/strong> dated <time datetime="2026-01-04">/,
    );
    const future = await get('/posts/future');
    assert.match(
      future.body,
      /<strong class="dev-badge">Scheduled<\/strong> for <time datetime="2099-01-01">/,
    );
    assert.doesNotMatch(draft.body + future.body, /Published <time/);
    // Lists the dev server renders on request include drafts and scheduled posts too.
    const archive = await get('/archive/');
    assert.equal(archive.status, 200);
    assert.match(archive.body, /<a href="\/posts\/draft">A draft<\/a>/);
    assert.match(archive.body, /<a href="\/posts\/future">From the future<\/a>/);
    assert.match(archive.body, /<script src="\/__dev\/reload.js" defer><\/script>/);
    const tags = await get('/tags/');
    assert.equal(tags.status, 200);
    assert.equal(tags.headers.get('cache-control'), 'no-cache');
    const feed = await get('/feed.xml');
    assert.equal(feed.status, 200);
    assert.match(feed.body, /From the future/);
    const script = await get('/__dev/reload.js');
    assert.equal(script.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.match(
      script.body,
      /new EventSource\(`\/__dev\/events\?path=\$\{encodeURIComponent\(location\.pathname\)\}`\)/,
    );
  });

  it('re-renders only the edited post, and names exactly the pages it changed', async () => {
    const before = (await (await fetch(`${dev.url}/__dev/stats`)).json()) as {
      postRenders: Record<string, number>;
    };
    assert.deepEqual(before.postRenders, {});
    await write(
      'alpha.md',
      postSource({ title: 'Alpha, edited', date: '2026-01-02', body: alphaBody('First words.') }),
    );
    const paths = await events.next((p) => p.includes('/posts/alpha'));
    // Of the pages served so far: the lists showing its title and the feed with its text (not
    // the tags page, nor the draft, which is not its neighbour); and its own page.
    assert.deepEqual(paths.sort(), ['/', '/archive/', '/feed.xml', '/posts/alpha']);
    assert.match((await get('/posts/alpha')).body, /<h1>Alpha, edited<\/h1>/);
    assert.match((await get('/')).body, /Alpha, edited<\/a>/);
    const stats = (await (await fetch(`${dev.url}/__dev/stats`)).json()) as typeof before;
    assert.deepEqual(stats.postRenders, { [join(posts, 'alpha.md')]: 1 });

    // Change one of the two code blocks: only that block goes through Shiki again.
    await write(
      'alpha.md',
      postSource({
        title: 'Alpha, edited',
        date: '2026-01-02',
        body: alphaBody('First words.', 'const answer = 43;'),
      }),
    );
    await events.next((p) => p.includes('/posts/alpha'));
    assert.match((await get('/posts/alpha')).body, /43/);
    const logs = dev.logLines().filter((line) => line.msg === 'post re-rendered');
    assert.equal(logs.length, 2);
    assert.equal(logs[1]?.quire?.file, join(posts, 'alpha.md'));
    assert.equal(logs[1]?.quire?.shikiCalls, 1);
    assert.equal(typeof logs[1]?.quire?.ms, 'number');
  });

  it('keeps serving while a post is broken, with the problem on every page; a fix clears it', async () => {
    await write('beta.md', '---\ntitle: Beta\ndate: 2026-01-03\ntags: [one\n---\nBeta text.\n');
    await events.next((p) => p.includes('*'));
    const problem = `${join(posts, 'beta.md')}:4: `;
    for (const path of ['/', '/posts/alpha', '/posts/beta']) {
      const page = await get(path);
      assert.equal(page.status, 200, path);
      assert.match(page.body, /class="dev-banner"/, path);
      assert.ok(page.body.includes(problem), `${path} names file:line`);
      assert.ok(page.body.includes('4 | tags: [one'), `${path} shows the offending line`);
    }
    assert.match((await get('/posts/beta')).body, /<h1>Beta<\/h1>/, 'the last good version');

    // A new post that was never valid: a 500 page that explains.
    await write('gamma.md', '---\ntitle: Gamma\n---\nNo date.\n');
    await events.next((p) => p.includes('*'));
    const gamma = await get('/posts/gamma');
    assert.equal(gamma.status, 500);
    assert.ok(
      gamma.body.includes(`${join(posts, 'gamma.md')}:1: missing required field &quot;date&quot;`),
    );

    await write('beta.md', postSource({ title: 'Beta, fixed', date: '2026-01-03' }));
    await rm(join(posts, 'gamma.md'));
    await eventually(async () => {
      const index = await get('/');
      assert.doesNotMatch(index.body, /dev-banner/);
      assert.match(index.body, /Beta, fixed/);
    });
    assert.equal((await get('/posts/gamma')).status, 404);
  });

  it('a deleted post is gone: 404 and not in the index', async () => {
    events.clear();
    await rm(join(posts, 'beta.md'));
    await events.next((p) => p.includes('/posts/beta'));
    assert.equal((await get('/posts/beta')).status, 404);
    assert.doesNotMatch((await get('/')).body, /Beta/);
  });

  it('a renamed post redirects its old URL with 301, and aliases redirect', async () => {
    await rename(join(posts, 'alpha.md'), join(posts, 'alpha-renamed.md'));
    await eventually(async () => {
      const old = await get('/posts/alpha');
      assert.equal(old.status, 301);
      assert.equal(old.headers.get('location'), '/posts/alpha-renamed');
    });
    assert.match((await get('/posts/alpha-renamed')).body, /Alpha, edited/);

    // A slug change in front matter, and an alias.
    const source = await readFile(join(posts, 'alpha-renamed.md'), 'utf8');
    await write(
      'alpha-renamed.md',
      source.replace('---\n', '---\nslug: alpha-final\naliases: [first-alpha]\n'),
    );
    await eventually(async () => assert.equal((await get('/posts/alpha-final')).status, 200));
    for (const old of ['alpha', 'alpha-renamed', 'first-alpha']) {
      const response = await get(`/posts/${old}`);
      assert.equal(response.status, 301, old);
      assert.equal(response.headers.get('location'), '/posts/alpha-final', old);
    }
  });

  it('a folder of posts moved out goes, moved back in comes back (one event names only the folder)', async () => {
    const folder = join(posts, 'series');
    const away = join(await tempDir('quire-dev-away-'), 'series');
    await mkdir(folder);
    await writePosts(folder, {
      'gamma.md': { title: 'Gamma', date: '2026-01-05' },
      'delta.md': { title: 'Delta', date: '2026-01-06' },
    });
    await eventually(async () => {
      for (const slug of ['gamma', 'delta'])
        assert.equal((await get(`/posts/${slug}`)).status, 200);
    });

    await rename(folder, away);
    await eventually(async () => {
      for (const slug of ['gamma', 'delta'])
        assert.equal((await get(`/posts/${slug}`)).status, 404);
      assert.doesNotMatch((await get('/')).body, /Gamma|Delta/);
    });
    assert.equal((await get('/posts/welcome-to-quire')).status, 200);

    await rename(away, folder);
    await eventually(async () => {
      for (const slug of ['gamma', 'delta'])
        assert.equal((await get(`/posts/${slug}`)).status, 200);
      assert.match((await get('/')).body, /Gamma/);
    });
  });

  it('re-renders every page when a template changes, without a restart', async () => {
    const original = await readFile(BASE_TEMPLATE, 'utf8');
    const pid = dev.child.pid;
    await writeFile(
      BASE_TEMPLATE,
      original.replace('</footer>', '<p>dev-template-test</p></footer>'),
    );
    await events.next((p) => p.includes('*'));
    for (const path of ['/', '/posts/alpha-final', '/posts/welcome-to-quire'])
      assert.match((await get(path)).body, /dev-template-test/, path);
    events.clear();
    await writeFile(BASE_TEMPLATE, original);
    await events.next((p) => p.includes('*'));
    assert.doesNotMatch((await get('/')).body, /dev-template-test/);
    assert.equal(dev.child.pid, pid);
    assert.equal(dev.child.exitCode, null, 'still the same process');
  });

  it('picks up an image saved beside a post: its pages reload with it, and a bad one is in the banner (issue #18)', async () => {
    const folder = join(posts, 'pictures');
    const photo = join(folder, 'photo.png');
    const png = (width: number) =>
      sharp({ create: { width, height: 100, channels: 3, background: '#0550ae' } })
        .png()
        .toBuffer();
    await mkdir(folder);
    await writeFile(photo, await png(200));
    await writeFile(
      join(folder, 'index.md'),
      postSource({ title: 'Pictures', date: '2026-01-07', body: '![A photo](photo.png)\n' }),
    );
    const first = await eventually(async () => {
      const page = await get('/posts/pictures');
      assert.match(
        page.body,
        /<img alt="A photo" src="(\/media\/pictures\/photo\.[0-9a-f]{10}\.png)" width="200"/,
      );
      return /src="(\/media\/[^"]+)"/.exec(page.body)?.[1] ?? '';
    });
    assert.equal((await get(first)).status, 200);

    events.clear();
    await writeFile(photo, await png(300));
    assert.ok(
      (await events.next((p) => p.includes('/posts/pictures'))).includes('/posts/pictures'),
    );
    const page = await get('/posts/pictures');
    assert.match(page.body, /width="300" height="100"/);
    const current = /src="(\/media\/[^"]+)"/.exec(page.body)?.[1] ?? '';
    assert.notEqual(current, first);
    const old = await get(first);
    assert.equal(old.status, 301, 'a tab with the old page still gets the image');
    assert.equal(old.headers.get('location'), current);

    events.clear();
    await writeFile(photo, (await png(300)).subarray(0, 100));
    await events.next((p) => p.includes('*'));
    const broken = await get('/');
    assert.ok(
      broken.body.includes(
        `${join(folder, 'index.md')}:5: image ${photo} cannot be decoded, it may be corrupt or truncated`,
      ),
    );
    assert.ok(broken.body.includes('5 | ![A photo](photo.png)'), 'the line showing it');

    events.clear();
    await rm(photo);
    await events.next((p) => p.includes('*'));
    assert.ok(
      (await get('/')).body.includes(
        `${join(folder, 'index.md')}:5: missing file &quot;photo.png&quot;`,
      ),
    );
    assert.equal((await get('/posts/pictures')).status, 200, 'its last good version');

    await writeFile(photo, await png(300));
    await eventually(async () => {
      assert.doesNotMatch((await get('/')).body, /dev-banner/);
      assert.match((await get('/posts/pictures')).body, /width="300"/);
    });
  });

  it('search follows the edits, and still leaves drafts out', async () => {
    const found = async (q: string) =>
      [
        ...(await get(`/search?q=${q}`)).body.matchAll(/search-result">\s*<h2><a href="([^"]+)"/g),
      ].map((match) => match[1]);
    await write(
      'epsilon.md',
      postSource({ title: 'Epsilon', date: '2026-01-07', body: 'A zeppelin.\n' }),
    );
    await eventually(async () => assert.deepEqual(await found('zeppelin'), ['/posts/epsilon']));
    await write(
      'epsilon.md',
      postSource({ title: 'Epsilon', date: '2026-01-07', body: 'A dirigible.\n' }),
    );
    await eventually(async () => assert.deepEqual(await found('dirigible'), ['/posts/epsilon']));
    assert.deepEqual(await found('zeppelin'), []);
    assert.deepEqual(await found('draft'), [], 'the draft "A draft" is not searched');
    assert.deepEqual(await found('future'), ['/posts/future'], 'scheduled posts are, as listed');
  });
  it('draws an edited post’s social card again and serves it (issue #18)', async () => {
    const cardOf = async (slug: string) =>
      /<meta property="og:image" content="[^"]*?(\/media\/[^"]+-card\.png)">/.exec(
        (await get(`/posts/${slug}`)).body,
      )?.[1];
    const before = await cardOf('epsilon');
    assert.ok(before, 'a post without a cover has a card');
    await write(
      'epsilon.md',
      postSource({ title: 'Epsilon, retitled', date: '2026-01-07', body: 'A dirigible.\n' }),
    );
    const card = await eventually(async () => {
      const url = await cardOf('epsilon');
      assert.ok(url !== undefined && url !== before, 'a new card for the new title');
      return url;
    });
    const response = await fetch(`${dev.url}${card}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
    const png = Buffer.from(await response.arrayBuffer());
    const { width, height } = await sharp(png).metadata();
    assert.deepEqual([width, height], [1200, 630]);
  });

  it('serves standalone pages, reloads one when it is saved, and shows a broken one in the banner', async () => {
    assert.match((await get('/about/')).body, /<h1>About<\/h1>/);
    events.clear();
    await writeFile(join(pages, 'about.md'), '---\ntitle: About us\n---\nAbout this blog.\n');
    const paths = await events.next((p) => p.includes('/about/'));
    assert.ok(paths.includes('/about/'));
    assert.match((await get('/about/')).body, /<h1>About us<\/h1>/);

    events.clear();
    await writeFile(join(pages, 'now.md'), '---\ntitle: Now\ndate: 2026-01-01\n---\nNow.\n');
    await events.next((p) => p.includes('*'));
    const banner = (await get('/about/')).body;
    assert.ok(
      banner.includes(
        `${join(pages, 'now.md')}:3: unknown field &quot;date&quot; (known fields: title, description, draft, slug)`,
      ),
    );
    await writeFile(join(pages, 'now.md'), '---\ntitle: Now\n---\nNow.\n');
    await eventually(async () => {
      const now = await get('/now/');
      assert.equal(now.status, 200);
      assert.doesNotMatch(now.body, /dev-banner/);
    });
  });

  it('applies a saved site file at once; a broken one shows in the banner and the last good one stays', async () => {
    const nav = async (path = '/') =>
      /<nav class="site-nav"[\s\S]*?<\/nav>/.exec((await get(path)).body)?.[0] ?? '';
    assert.match(await nav(), /<a href="\/about\/">About<\/a>/);
    assert.match((await get('/')).body, /<title>Dev notes<\/title>/);

    events.clear();
    await writeFile(
      siteFile,
      `${SITE_FILE_TEXT}  - label: Now\n    url: /now/\nsocial:\n  - label: Mail\n    url: mailto:dev@notes.example\n`,
    );
    await events.next((p) => p.includes('*'));
    assert.match(await nav(), /<a href="\/now\/">Now<\/a>/);
    assert.match((await get('/')).body, /rel="me">Mail<\/a>/);

    events.clear();
    await writeFile(siteFile, 'title: Dev notes\nmenuu: []\n');
    await events.next((p) => p.includes('*'));
    const broken = (await get('/')).body;
    assert.ok(
      broken.includes(
        `${siteFile}:2: unknown key &quot;menuu&quot; (did you mean &quot;menu&quot;?)`,
      ),
    );
    assert.ok(broken.includes('2 | menuu: []'), 'the offending line');
    assert.match(await nav(), /<a href="\/now\/">Now<\/a>/, 'the last good menu');
    assert.ok(dev.stderrLines().some((line) => line.startsWith(`${siteFile}:2: unknown key`)));

    events.clear();
    await writeFile(siteFile, 'title: Fixed notes\n');
    await events.next((p) => p.includes('*'));
    const fixed = (await get('/')).body;
    assert.doesNotMatch(fixed, /dev-banner/);
    assert.match(fixed, /<title>Fixed notes<\/title>/);
    assert.match(await nav(), /<a href="\/tags\/">Tags<\/a>/, 'the theme’s menu again');
    assert.ok(dev.stderrLines().includes(`${siteFile}: fixed`));
  });

  it('serves a post naming an author the site file lacks once the site file defines the author', async () => {
    await write(
      'by-carol.md',
      postSource({ title: 'By Carol', date: '2026-01-07', extra: 'authors: [carol]' }),
    );
    await events.next((p) => p.includes('*'));
    const problem = `${join(posts, 'by-carol.md')}:4: unknown author &quot;carol&quot;`;
    assert.ok((await get('/')).body.includes(problem));
    assert.equal((await get('/posts/by-carol')).status, 500, 'never good: the page explains');

    events.clear();
    await writeFile(siteFile, 'title: Fixed notes\nauthors:\n  carol:\n    name: Carol\n');
    await events.next((p) => p.includes('*'));
    const post = await get('/posts/by-carol');
    assert.equal(post.status, 200);
    assert.match(post.body, /<p class="byline">By Carol<\/p>/);
    assert.doesNotMatch(post.body, /dev-banner/);
  });
});
