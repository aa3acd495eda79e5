import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tableOfContents } from '../../src/content/site/toc.ts';

const h = (depth: number, id: string) => ({ depth, id, text: id.toUpperCase() });

describe('tableOfContents', () => {
  it('nests h3 under the h2 before it and leaves out h1 and h4', () => {
    const toc = tableOfContents([
      h(1, 'title'),
      h(2, 'a'),
      h(3, 'a1'),
      h(4, 'deep'),
      h(3, 'a2'),
      h(2, 'b'),
    ]);
    assert.deepEqual(toc, [
      {
        id: 'a',
        text: 'A',
        children: [
          { id: 'a1', text: 'A1', children: [] },
          { id: 'a2', text: 'A2', children: [] },
        ],
      },
      { id: 'b', text: 'B', children: [] },
    ]);
  });

  it('is empty for posts with fewer than three h2/h3 headings', () => {
    assert.deepEqual(tableOfContents([]), []);
    assert.deepEqual(tableOfContents([h(2, 'a'), h(3, 'b'), h(4, 'c'), h(1, 'd')]), []);
  });

  it('keeps an h3 that comes before any h2', () => {
    const toc = tableOfContents([h(3, 'x'), h(2, 'a'), h(2, 'b')]);
    assert.deepEqual(
      toc.map((entry) => entry.id),
      ['x', 'a', 'b'],
    );
  });
});
