/**
 * A static export served by a real nginx (issue #18 item 7, README "Static export"): with nothing
 * but `try_files $uri $uri.html $uri/index.html =404` (and `error_page 404 /404.html`), nginx
 * answers every address of the site with the body the Quire server sends for it; a moved address
 * with the page sending the reader on to where the server redirects; an unknown one with the
 * theme's 404 page. The blog is the sample one (its posts, pages and site file), plus tags whose
 * addresses need percent-encoding.
 */
import assert from 'node:assert/strict';
import { chmod, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../../cli/run.ts';
import { tempDir, writePosts } from '../../helpers/posts-dir.ts';
import { startServer } from '../../helpers/server-process.ts';
import { addressOf, filesIn } from '../../helpers/static-site.ts';
import { requireTools } from '../../helpers/require-tool.ts';
import { freePort, type NginxSetup } from './environment.ts';
import { startNginx } from './harness.ts';

const tools = requireTools(['nginx'] as const, 'apt-get install nginx');
const POSTS = fileURLToPath(new URL('../../../posts/', import.meta.url));
const PAGES = fileURLToPath(new URL('../../../pages/', import.meta.url));
const SITE_FILE = fileURLToPath(new URL('../../../quire.yaml', import.meta.url));
const SITE_URL = 'https://blog.example';

/** The minimal configuration the README gives for serving an export with nginx. */
function staticSiteConf(prefix: string, root: string, port: number): string {
  const temp = (name: string) => `${name}_temp_path ${join(prefix, 'temp', name)};`;
  return `worker_processes 1;
error_log stderr warn;
events { worker_connections 64; }
http {
  include mime.types;
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location / {
      try_files $uri $uri.html $uri/index.html =404;
    }
    error_page 404 /404.html;
  }
}
`;
}

/** nginx serving `root` on a loopback port, stopped after the file. */
async function serveStatically(root: string): Promise<string> {
  const prefix = await tempDir('quire-static-nginx-');
  await chmod(prefix, 0o755); // nginx's workers run as nobody when the tests run as root
  await mkdir(join(prefix, 'temp'));
  await cp('/etc/nginx/mime.types', join(prefix, 'mime.types'));
  const port = await freePort();
  const confFile = join(prefix, 'nginx.conf');
  await writeFile(confFile, staticSiteConf(prefix, root, port));
  const setup: NginxSetup = {
    prefix,
    confFile,
    confDir: prefix,
    pidFile: join(prefix, 'nginx.pid'),
    httpPort: port,
    httpsPort: port,
    env: {},
  };
  await startNginx(setup, tools.paths?.nginx);
  return `http://127.0.0.1:${port}`;
}

const bodyOf = async (base: string, url: string, headers: Record<string, string> = {}) => {
  const response = await fetch(new URL(url, base), { redirect: 'manual', headers });
  return { status: response.status, response, body: Buffer.from(await response.arrayBuffer()) };
};

describe('a static export behind nginx', { skip: tools.skip }, () => {
  it('answers every address with the body the Quire server sends for it', async () => {
    const root = await tempDir('quire-static-');
    await chmod(root, 0o755);
    const postsDir = join(root, 'posts');
    await mkdir(postsDir);
    for (const name of await readdir(POSTS))
      await cp(join(POSTS, name), join(postsDir, name), { recursive: true });
    await writePosts(postsDir, {
      'spaces-and-accents.md': {
        title: 'Spaces and accents',
        date: '2026-02-01',
        extra: 'tags: [two words, café]\naliases: [accents]',
      },
    });
    const env = {
      POSTS_DIR: postsDir,
      PAGES_DIR: PAGES,
      SITE_FILE,
      CACHE_DIR: join(root, 'cache'),
      SITE_URL,
    };
    const quire = await startServer({ ...env, WORKERS: '1' }).listening;
    const exportDir = join(root, 'public');
    const exported = await runCli('export.ts', [exportDir], { cwd: root, env });
    assert.equal(exported.code, 0, exported.stderr);
    const nginx = await serveStatically(exportDir);

    const files = (await filesIn(exportDir)).filter(
      (file) => !/^(\.quire-export|_redirects)$/.test(file),
    );
    const addresses = files.filter((file) => file !== '404.html').map(addressOf);
    assert.ok(addresses.includes('/tags/two%20words') && addresses.includes('/tags/caf%C3%A9'));
    assert.ok(addresses.includes('/about/'), 'the sample blog’s standalone page');
    let redirects = 0;
    for (const url of addresses) {
      const served = await bodyOf(quire, url);
      const fromNginx = await bodyOf(nginx, url);
      assert.equal(fromNginx.status, 200, `nginx: ${url}`);
      if (served.status === 301) {
        redirects += 1;
        const location = served.response.headers.get('location') ?? '';
        assert.ok(
          fromNginx.body
            .toString()
            .includes(`<meta http-equiv="refresh" content="0; url=${location}">`),
          `${url} sends the reader on to ${location}`,
        );
        continue;
      }
      assert.equal(served.status, 200, `quire: ${url}`);
      assert.ok(fromNginx.body.equals(served.body), `${url}: nginx and Quire send other bytes`);
    }
    assert.ok(redirects >= 2, 'aliases and former file names');
    assert.ok(addresses.length > 40, `only ${addresses.length} addresses`);

    const missing = await bodyOf(nginx, '/posts/no-such-post');
    assert.equal(missing.status, 404);
    assert.ok(missing.body.equals(await readFile(join(exportDir, '404.html'))));
    const themed = await bodyOf(quire, '/404.html', { 'x-request-id': 'static-export' });
    assert.ok(missing.body.equals(themed.body), 'the theme’s 404 page');
  });
});
