/**
 * Which link and image targets name a file beside the post (issue #18), where that file is, and
 * how the renderer marks them for the content layer to fill in (the marker is the renderer's
 * alone: a post cannot write one).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCodeHighlighter } from '../../src/content/highlight/highlighter.ts';
import { fileTarget, resolveFile } from '../../src/content/markdown/file-references.ts';
import { createMarkdownRenderer } from '../../src/content/markdown/markdown.ts';

const renderer = createMarkdownRenderer(await createCodeHighlighter());
const render = async (body: string) => (await renderer.render(body, { bodyLine: 1 })).html;

describe('file references', () => {
  it('are relative targets that are not posts, URLs, absolute paths or fragments', () => {
    assert.deepEqual(fileTarget('photo.jpg'), { path: 'photo.jpg', suffix: '' });
    assert.deepEqual(fileTarget('../images/a%20b.png?v=2#x'), {
      path: '../images/a b.png',
      suffix: '?v=2#x',
    });
    assert.deepEqual(fileTarget('100%.png'), { path: '100%.png', suffix: '' });
    for (const target of ['', 'post.md', './post.md#part', 'https://x/a.png', 'data:x', '/a.png'])
      assert.equal(fileTarget(target), undefined, target);
    for (const target of ['//cdn/a.png', '#top', '?q=1', 'mailto:a@b.c', '\\\\server\\a.png'])
      assert.equal(fileTarget(target), undefined, target);
  });

  it('resolve against the post’s folder and never leave the posts folder', () => {
    assert.equal(resolveFile('trip/index.md', 'photo.jpg'), 'trip/photo.jpg');
    assert.equal(resolveFile('trip/index.md', './photo.jpg'), 'trip/photo.jpg');
    assert.equal(resolveFile('trip/index.md', '../images/a.png'), 'images/a.png');
    assert.equal(resolveFile('notes.md', 'images/a.png'), 'images/a.png');
    assert.equal(resolveFile('a/b/index.md', '../../c.png'), 'c.png');
    assert.equal(resolveFile('trip/index.md', '../../etc/passwd'), undefined);
    assert.equal(resolveFile('notes.md', '../secret.png'), undefined);
    assert.equal(resolveFile('notes.md', 'a/%2e%2e/%2e%2e/x.png'), undefined);
    assert.equal(resolveFile('notes.md', 'https://example.com/a.png'), undefined);
  });

  it('are marked by the renderer, on images and links, with the target as written', async () => {
    assert.equal(
      await render('![A photo](photo.jpg "Title") [slides](talk.pdf#page=2)'),
      '<p><img alt="A photo" title="Title" data-quire-file="photo.jpg" /> <a data-quire-file="talk.pdf#page=2">slides</a></p>\n',
    );
    assert.equal(
      await render('<img src="../a.png" alt="raw">'),
      '<img alt="raw" data-quire-file="../a.png" />',
    );
  });

  it('cannot be forged: a marker a post writes itself is dropped', async () => {
    const html = await render(
      '<img src="https://x.example/a.png" data-quire-file="../../etc/passwd"> <span data-quire-file="x">s</span>',
    );
    assert.doesNotMatch(html, /data-quire-file/);
    assert.match(html, /<img src="https:\/\/x\.example\/a\.png" \/>/);
  });
});
