/**
 * The dev server prints a post's problems to the terminal (stderr, plain text) when they
 * change, and a line when the post is fixed or deleted: once per change, never per save
 * (issue #17 §7). A real dev server process, real file writes; the banner on the page tells
 * when a save was applied, so "nothing printed" is checked after the save took effect.
 */
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fetch } from 'undici';
import { postSource, tempDir, writePosts } from '../helpers/posts-dir.ts';
import { eventually, startDevServer } from './dev-process.ts';

const posts = await tempDir('quire-dev-lines-');
const withTag = (tag: string) => `---\ntitle: Beta\ndate: 2026-01-03\ntag: [${tag}]\n---\nBeta.\n`;
await writePosts(posts, {
  'alpha.md': { title: 'Alpha', date: '2026-01-02' },
  'beta.md': { title: 'Beta', date: '2026-01-03' },
  'broken.md': '---\ntitle: Broken\ndate: 2026-01-04\ntag: [start]\n---\nBroken from the start.\n',
});
const alpha = join(posts, 'alpha.md');
const beta = join(posts, 'beta.md');
const broken = join(posts, 'broken.md');
const unknownTag = 'unknown field "tag" (did you mean "tags"?)';

const dev = await startDevServer({
  POSTS_DIR: posts,
  CACHE_DIR: await tempDir('quire-dev-lines-cache-'),
  LOG_LEVEL: 'info',
});
/** The lines about posts: the server's other stderr output, if any, is not this test's. */
const lines = () => dev.stderrLines().filter((line) => line.startsWith(posts));
const page = async (path: string) => (await fetch(`${dev.url}${path}`)).text();
/** Until the home page's banner shows `text` (the save that caused it was applied). */
const banner = (text: string) =>
  eventually(async () => assert.ok((await page('/')).includes(text), text), 5_000);
const printed = (expected: string[]) =>
  eventually(async () => assert.deepEqual(lines(), expected), 5_000);

describe('dev server: problems printed to the terminal', () => {
  it('prints the problems of a post already broken at start', async () => {
    await printed([`${broken}:4: ${unknownTag}`]);
  });

  it('prints a break once, again only when the problem changes, and the fix', async () => {
    const before = lines();
    await writeFile(beta, withTag('one'));
    await printed([...before, `${beta}:4: ${unknownTag}`]);

    // Saved again, broken the same way (only the offending line's text differs): the banner
    // changes, the terminal does not.
    await writeFile(beta, withTag('two'));
    await banner('4 | tag: [two]');
    assert.deepEqual(lines(), [...before, `${beta}:4: ${unknownTag}`]);

    // Broken another way: printed.
    await writeFile(beta, '---\ntitle: Beta\n---\nNo date.\n');
    await printed([
      ...before,
      `${beta}:4: ${unknownTag}`,
      `${beta}:1: missing required field "date"`,
    ]);

    await writeFile(beta, postSource({ title: 'Beta, fixed', date: '2026-01-03' }));
    const fixed = [
      ...before,
      `${beta}:4: ${unknownTag}`,
      `${beta}:1: missing required field "date"`,
      `${beta}: fixed`,
    ];
    await printed(fixed);

    // Good saves print nothing.
    await writeFile(alpha, postSource({ title: 'Alpha, edited', date: '2026-01-02' }));
    await writeFile(beta, postSource({ title: 'Beta, edited', date: '2026-01-03' }));
    await eventually(async () => {
      const index = await page('/');
      assert.ok(index.includes('Alpha, edited') && index.includes('Beta, edited'));
    }, 5_000);
    assert.deepEqual(lines(), fixed);
  });

  it('says so when a broken post is deleted', async () => {
    const before = lines();
    await rm(broken);
    await printed([...before, `${broken}: deleted`]);
  });
});
