import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCodeHighlighter } from '../../src/content/highlight/highlighter.ts';
import { createMarkdownRenderer } from '../../src/content/markdown/markdown.ts';

const renderer = createMarkdownRenderer(await createCodeHighlighter());
const hrefs = async (body: string) =>
  [...(await renderer.render(body, { bodyLine: 1 })).html.matchAll(/href="([^"]*)"/g)].map(
    (match) => match[1],
  );

describe('links to a post by its file', () => {
  it('point at the post page, keeping the fragment and query', async () => {
    assert.deepEqual(
      await hrefs(
        '[a](other-post.md) [b](./series/part-two.md#setup) [c](../notes.md?x=1)\n\n[d]: ref.md',
      ),
      ['/posts/other-post', '/posts/part-two#setup', '/posts/notes?x=1'],
    );
    assert.deepEqual(await hrefs('[d][d]\n\n[d]: ./ref.md\n'), ['/posts/ref']);
    // A post that is a folder is named after it (issue #18).
    assert.deepEqual(await hrefs('[e](../a-trip/index.md#day-2)'), ['/posts/a-trip#day-2']);
  });

  it('leave other links alone: schemes, absolute paths, other files, code', async () => {
    assert.deepEqual(
      await hrefs(
        '[a](https://example.com/README.md) [b](/docs/x.md) [c](/files/notes.txt) [d](/posts/x) `[e](y.md)`',
      ),
      ['https://example.com/README.md', '/docs/x.md', '/files/notes.txt', '/posts/x'],
    );
  });

  it('still drop dangerous schemes', async () => {
    assert.deepEqual(await hrefs('[a](javascript:alert(1)//x.md) [b](JaVaScRiPt:x.md)'), []);
  });
});
