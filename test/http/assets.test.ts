import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { loadAssetManifest } from '../../src/http/asset-manifest.ts';
import { buildTestApp } from './harness.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=300';

/** The hashed URLs a page links to, by file name. */
async function linkedAssets(t: TestContext, url: string): Promise<Record<string, string>> {
  const { app } = buildTestApp(t);
  const html = (await app.inject({ url })).body;
  const found: Record<string, string> = {};
  for (const [, path = '', name = '', ext = ''] of html.matchAll(
    /(?:href|src)="(\/assets\/([a-z-]+)\.[0-9a-f]{10}\.([a-z]+))"/g,
  )) {
    found[`${name}.${ext}`] = path;
  }
  return found;
}

describe('static assets', () => {
  it('pages link to content-hashed names, served as immutable for a year', async (t) => {
    const { app } = buildTestApp(t);
    const onPost = await linkedAssets(t, '/posts/hello-world');
    assert.deepEqual(Object.keys(onPost).sort(), [
      'copy-code.js',
      'favicon.svg',
      'style.css',
      'theme.js',
    ]);
    for (const [name, url] of Object.entries(onPost)) {
      const hashed = await app.inject({ url });
      assert.equal(hashed.statusCode, 200, url);
      assert.equal(hashed.headers['cache-control'], IMMUTABLE, url);
      const plain = await app.inject({ url: `/assets/${name}` });
      assert.equal(plain.statusCode, 200, name);
      assert.equal(plain.headers['cache-control'], SHORT, name);
      assert.ok(plain.headers.etag, name);
      assert.equal(hashed.body, plain.body, `${url} is ${name}`);
    }
    const css = await app.inject({ url: onPost['style.css'] ?? '' });
    assert.match(String(css.headers['content-type']), /^text\/css/);
    const js = await app.inject({ url: onPost['copy-code.js'] ?? '' });
    assert.match(String(js.headers['content-type']), /javascript/);
  });

  it('the index links to the stylesheet and the theme toggle, and no other script', async (t) => {
    assert.deepEqual(Object.keys(await linkedAssets(t, '/')).sort(), [
      'favicon.svg',
      'style.css',
      'theme.js',
    ]);
  });

  it('answers HEAD and conditional requests for hashed names', async (t) => {
    const { app } = buildTestApp(t);
    const url = (await linkedAssets(t, '/'))['style.css'] ?? '';
    const head = await app.inject({ method: 'HEAD', url });
    assert.equal(head.statusCode, 200);
    assert.equal(head.body, '');
    const again = await app.inject({
      url,
      headers: { 'if-none-match': String(head.headers.etag) },
    });
    assert.equal(again.statusCode, 304);
  });

  it('answers unknown assets, wrong hashes, dotfiles and path tricks through the error handlers', async (t) => {
    const { app } = buildTestApp(t);
    for (const [url, status] of [
      ['/assets/nope.css', 404],
      ['/assets/style.0000000000.css', 404],
      ['/assets/%2e%2e/%2e%2e/package.json', 404],
      ['/assets/../package.json', 404],
      ['/assets/', 404],
      ['/assets/.env', 403],
    ] as const) {
      const response = await app.inject({ url, headers: { accept: 'application/json' } });
      assert.equal(response.statusCode, status, url);
      assert.equal(response.json().requestId, response.headers['x-request-id']);
    }
  });

  it('serves the theme with both colour schemes, the reader’s choice and a print stylesheet', async (t) => {
    const { app } = buildTestApp(t);
    const css = (await app.inject({ url: '/assets/style.css' })).body;
    assert.match(css, /:root \{\s*color-scheme: light dark;/);
    assert.match(css, /:root\[data-theme='dark'\] \{\s*color-scheme: dark;/);
    assert.match(
      css,
      /\.shiki,\s*\.shiki span \{\s*color: light-dark\(var\(--shiki-light\), var\(--shiki-dark\)\);/,
    );
    assert.match(css, /@media print \{/);
  });
});

describe('asset manifest', () => {
  it('hashes by content, in subfolders too, and changes the name when the content changes', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'quire-assets-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await mkdir(join(dir, 'img'));
    await writeFile(join(dir, 'a.css'), 'a{}');
    await writeFile(join(dir, 'img', 'logo.svg'), '<svg/>');
    await writeFile(join(dir, '.hidden'), 'secret');
    const first = loadAssetManifest(dir);
    const css = first.url('a.css');
    assert.match(css, /^\/assets\/a\.[0-9a-f]{10}\.css$/);
    assert.match(first.url('img/logo.svg'), /^\/assets\/img\/logo\.[0-9a-f]{10}\.svg$/);
    assert.equal(first.fileOf(css.slice('/assets/'.length)), 'a.css');
    assert.throws(() => first.url('.hidden'), /no file \.hidden/);

    await writeFile(join(dir, 'a.css'), 'a{color:red}');
    assert.notEqual(loadAssetManifest(dir).url('a.css'), css);
    assert.equal(loadAssetManifest(dir, { hashed: false }).url('a.css'), '/assets/a.css');
  });

  it('names the missing asset and the folder when a template asks for a file that is not there', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'quire-assets-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    assert.throws(
      () => loadAssetManifest(dir).url('style.css'),
      (error: Error) => error.message === `asset("style.css"): no file style.css in ${dir}`,
    );
    assert.throws(
      () => loadAssetManifest(join(dir, 'missing')),
      /cannot read the theme's assets folder .*missing \(TEMPLATES_DIR\): ENOENT/,
    );
  });
});
