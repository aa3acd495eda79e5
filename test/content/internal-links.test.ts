import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { internalLinks } from '../../src/content/source/internal-links.ts';

const slugs = (body: string) => internalLinks(body, 1).map(({ slug, line }) => `${line}:${slug}`);

describe('internalLinks', () => {
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
    assert.deepEqual(internalLinks('\n\n[a](/posts/a)\n', 7), [{ slug: 'a', line: 9 }]);
  });
});
