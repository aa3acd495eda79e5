/**
 * Every page is valid HTML5 (issue #19: "pages stay HTML5-valid"), by the W3C Nu Html Checker
 * (npm `vnu-jar`, run on Java 17+): each page of the sample blog a reader can reach, and the dev
 * server's pages for a draft, a scheduled post and a broken post (the problems banner), and the
 * page a static export writes at a moved address (`npm run export`).
 * Errors fail the test; warnings and notes do not (marked writes a table column's alignment as
 * the obsolete `align` attribute, which browsers still honour).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildApp } from '../../../src/app.ts';
import { DEFAULT_IMAGE_MAX_MB, loadConfig } from '../../../src/config.ts';
import { SiteLoader } from '../../../src/content/site/site-loader.ts';
import { createDevContent } from '../../../src/dev/content.ts';
import { createDevSession } from '../../../src/dev/session.ts';
import { redirectPage } from '../../../src/export/redirect-files.ts';
import { createLogger } from '../../../src/log.ts';
import { loaderOptions } from '../../../src/process/load.ts';
import { crawl } from '../../helpers/crawl.ts';
import { tempDir, writePosts } from '../../helpers/posts-dir.ts';
import { requireTools } from '../../helpers/require-tool.ts';

const tools = requireTools(['java'], 'apt-get install openjdk-17-jre-headless');
const VNU_JAR = String(createRequire(import.meta.url)('vnu-jar'));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const POSTS = join(ROOT, 'posts');
const EMPTY_SITE_FILE = join(ROOT, 'test/fixtures/site-file/empty.yaml');
const ORIGIN = 'https://blog.example';

interface VnuMessage {
  type: string;
  url: string;
  lastLine?: number;
  message: string;
}

/** The checker's errors for every file in `files`, as `file:line: message`. */
async function vnuErrors(files: string[]): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    tools.paths?.java ?? 'java',
    [
      '-jar',
      VNU_JAR,
      '--format',
      'json',
      '--errors-only',
      '--exit-zero-always',
      '--stdout',
      ...files,
    ],
    { maxBuffer: 64 * 2 ** 20 },
  );
  const { messages } = JSON.parse(stdout) as { messages: VnuMessage[] };
  return messages.map((m) => `${m.url.replace(/^file:/, '')}:${m.lastLine ?? '?'}: ${m.message}`);
}

/** Writes each HTML page of `pages` (path → body) to `dir`; returns the files. */
async function writePages(dir: string, pages: Map<string, string>): Promise<string[]> {
  const files: string[] = [];
  for (const [path, body] of pages) {
    const file = join(dir, `${path.replace(/[^A-Za-z0-9._-]+/g, '_') || 'index'}.html`);
    await writeFile(file, body);
    files.push(file);
  }
  return files;
}

describe('HTML validity (W3C Nu Html Checker)', { skip: tools.skip }, () => {
  it('every page of the sample blog, the dev server’s draft, scheduled and problem pages, an export’s redirect page', async () => {
    const html = new Map<string, string>();

    // The whole sample blog: its posts, its standalone pages and its site file (issue #18).
    const config = loadConfig(
      {
        SITE_URL: ORIGIN,
        SITE_FILE: join(ROOT, 'quire.yaml'),
        POSTS_DIR: POSTS,
        CACHE_DIR: await tempDir(),
      },
      [],
    );
    const loader = new SiteLoader(loaderOptions(config));
    await loader.load();
    const site = loader.site({ title: config.siteTitle, url: config.siteUrl });
    const published = buildApp(config, site, { logger: createLogger('silent') });
    try {
      const start = ['/', '/posts/no-such-post', '/sitemap.xml'];
      for (const [path, response] of await crawl(published, ORIGIN, start)) {
        if (String(response.headers['content-type']).startsWith('text/html'))
          html.set(path, response.body);
      }
    } finally {
      await published.close();
    }
    assert.ok(html.size > 15, `only ${html.size} pages`);

    // The dev server: a draft, a scheduled post, and a broken post's banner on every page.
    const postsDir = await tempDir();
    await copyFile(join(POSTS, 'writing-a-post.md'), join(postsDir, 'writing-a-post.md'));
    await writePosts(postsDir, {
      'wip.md': { title: 'Work in progress', date: '2026-01-02', extra: 'draft: true' },
      'later.md': { title: 'Later', date: '2099-03-04' },
      'broken.md': '---\ntitle: Broken\ndate: 2026-01-03\ntag: [x]\n---\nText.\n',
    });
    const content = createDevContent({
      postsDir,
      cacheDir: await tempDir(),
      imageMaxMb: DEFAULT_IMAGE_MAX_MB,
      title: 'Quire',
      url: ORIGIN,
      siteFile: EMPTY_SITE_FILE,
      siteFileProblems: [],
    });
    await content.load();
    const logger = createLogger('silent');
    const session = createDevSession(content, logger, () => {});
    const dev = buildApp(loadConfig({ SITE_FILE: EMPTY_SITE_FILE }, []), content.site(), {
      logger,
      dev: session.hooks,
    });
    try {
      for (const path of [
        '/',
        '/posts/wip',
        '/posts/later',
        '/posts/writing-a-post',
        '/posts/broken',
      ]) {
        const response = await dev.inject({ url: path });
        assert.match(response.body, /class="dev-banner"/, `${path} shows the problem`);
        html.set(`/__dev${path}`, response.body);
      }
    } finally {
      await dev.close();
    }

    html.set('/__export/moved', redirectPage('/posts/writing-a-post?x=1&y=2', ORIGIN, 'pt-BR'));

    const files = await writePages(await tempDir(), html);
    assert.deepEqual(await vnuErrors(files), []);
  });
});
