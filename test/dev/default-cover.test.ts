/**
 * The site file's `defaultCover` in the dev server (issue #18): a missing one does not stop the
 * writing session; the banner of every page shows it at its line of the site file, with the line
 * itself and the nearest name, and the posts are served without it. A real dev server process.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { fetch } from 'undici';
import { postSource, tempDir } from '../helpers/posts-dir.ts';
import { startDevServer } from './dev-process.ts';

const root = await tempDir('quire-dev-cover-');
const posts = join(root, 'posts');
await mkdir(join(posts, 'images'), { recursive: true });
await writeFile(join(posts, 'hello.md'), postSource({ title: 'Hello' }));
const image = sharp({ create: { width: 400, height: 200, channels: 3, background: '#888' } });
await writeFile(join(posts, 'images', 'cover.png'), await image.png().toBuffer());
const siteFile = join(root, 'quire.yaml');
await writeFile(siteFile, 'title: Dev\ndefaultCover:\n  src: images/cuver.png\n  alt: A field\n');

const dev = await startDevServer({
  POSTS_DIR: posts,
  PAGES_DIR: join(root, 'pages'),
  SITE_FILE: siteFile,
  CACHE_DIR: join(root, 'cache'),
});

describe('dev server: a missing default cover', () => {
  it('is in the banner at its line of the site file, and the post is still served', async () => {
    const page = await (await fetch(`${dev.url}/posts/hello`)).text();
    assert.ok(
      page.includes(
        `<code>${siteFile}:3: &quot;defaultCover.src&quot;: missing file &quot;images/cuver.png&quot; in the posts folder (did you mean &quot;images/cover.png&quot;?)</code>`,
      ),
    );
    assert.ok(page.includes('<pre>3 |   src: images/cuver.png</pre>'));
    assert.doesNotMatch(page, /post-cover/);
  });
});
