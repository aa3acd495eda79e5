import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanLinks } from '../../src/content/source/internal-links.ts';

const slugs = (body: string) => scanLinks(body, 1).links.map(({ slug, line }) => `${line}:${slug}`);

describe('scanLinks: links to posts', () => {
  it('finds links and images to /posts/<slug> and to .md files, with the line of the target', () => {
    const body = [
      '[a](/posts/a) ![b](</posts/b> "title") [c](/posts/c/#x) [d](/posts/d?x=1#y)',
      '[e [nested]](../other/e.md#part) [f](caf%C3%A9.md) [f2](./a-trip/index.md)',
      '[ref]: /posts/g',
      '  [ref2]: <./h.md>',
      '[wrapped',
      'text](',
      '/posts/i)',
    ].join('\n');
    assert.deepEqual(slugs(body), [
      '1:a',
      '1:b',
      '1:c',
      '1:d',
      '2:e',
      '2:café',
      '2:a-trip',
      '3:g',
      '4:h',
      '7:i',
    ]);
  });

  it('ignores other links, code, comments and footnotes', () => {
    const body = [
      '[x](https://example.com/posts/x) [y](/posts/) [z](/posts/a/b) [w](/about) [m](mailto:a@b.md)',
      '`[code](/posts/span)` ``[code `x`](/posts/double)``',
      '~~~~md',
      '[fenced](/posts/fenced)',
      '~~~',
      'still fenced: a shorter fence does not close it [f](/posts/still)',
      '~~~~',
      '<!-- [old](/posts/commented) -->',
      '[^note]: ./notes.md is where the notes were',
      '```',
      '[unclosed](/posts/unclosed)',
    ].join('\n');
    assert.deepEqual(slugs(body), []);
  });

  it('counts lines from where the body starts in the file', () => {
    assert.deepEqual(scanLinks('\n\n[a](/posts/a)\n', 7).links, [{ slug: 'a', line: 9 }]);
  });
});

describe('scanLinks: files beside the post (issue #18)', () => {
  const files = (body: string) =>
    scanLinks(body, 1).files.map(
      ({ target, line, image }) => `${line}:${image ? '!' : ''}${target}`,
    );

  it('finds images and links to relative files, with the line of the target', () => {
    const body = [
      '![a](photo.jpg) [b](./talk.pdf#page=2) ![c](../images/shared.png "title")',
      '[![d](thumb.png)](full.png) ![e](<my photo.jpg>) ![f](caf%C3%A9.png)',
      '[ref]: data/results.csv',
      '<img src="raw.png" alt="g"> <a href=\'notes.txt\'>h</a>',
      '![wrapped',
      'alt](',
      'late.png)',
    ].join('\n');
    assert.deepEqual(files(body), [
      '1:!photo.jpg',
      '1:./talk.pdf#page=2',
      '1:!../images/shared.png',
      '2:!thumb.png',
      '2:full.png',
      '2:!my photo.jpg',
      '2:!caf%C3%A9.png',
      '3:data/results.csv',
      '4:!raw.png',
      '4:notes.txt',
      '7:!late.png',
    ]);
  });

  it('leaves posts, URLs, absolute paths, fragments and code alone', () => {
    const body = [
      '[a](other.md) [b](/posts/x) [c](https://example.com/a.png) [d](/images/a.png) [e](#top)',
      '![f](//cdn.example/a.png) [g](mailto:a@b.c) [h](?page=2)',
      '`![code](span.png)`',
      '```',
      '![fenced](block.png)',
      '```',
      '<!-- ![old](comment.png) -->',
    ].join('\n');
    assert.deepEqual(files(body), []);
    assert.deepEqual(
      scanLinks(body, 1).links.map((link) => link.slug),
      ['other', 'x'],
    );
  });
});
