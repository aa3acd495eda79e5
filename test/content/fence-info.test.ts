import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createCodeHighlighter } from '../../src/content/highlight/highlighter.ts';
import { createMarkdownRenderer } from '../../src/content/markdown/markdown.ts';
import { parseFenceInfo } from '../../src/content/markdown/fence-info.ts';

describe('parseFenceInfo', () => {
  it('reads the language, a title and highlighted lines in any order', () => {
    assert.deepEqual(parseFenceInfo('ts title="src/app.ts" {1,3-4}', 5), {
      lang: 'ts',
      title: 'src/app.ts',
      highlightLines: [1, 3, 4],
      problems: [],
    });
    assert.deepEqual(parseFenceInfo("py {4-5, 2} title='a b.py'", 5), {
      lang: 'py',
      title: 'a b.py',
      highlightLines: [2, 4, 5],
      problems: [],
    });
    assert.deepEqual(parseFenceInfo('', 1), { lang: '', highlightLines: [], problems: [] });
  });

  it('reports each bad option and keeps the good ones', () => {
    const cases: Array<[string, RegExp, number[]]> = [
      ['ts {3-1}', /bad line range "3-1" in \{3-1\} \(lines count from 1, ranges go up\)/, []],
      ['ts {0}', /bad line range "0"/, []],
      ['ts {1,2x,2}', /bad line range "2x" in \{1,2x,2\}/, [1, 2]],
      ['ts {2-9}', /line range "2-9" is past the end of the block \(3 lines\)/, []],
      ['ts {1', /unclosed "\{" in \{1, option ignored/, []],
      ['ts title="src/app.ts {1}', /unclosed quote in title="src\/app.ts, title ignored/, [1]],
      ['ts linenos', /unknown fence option "linenos" \(expected title=.*\{lineNumbers\}\)/, []],
      [
        'ts {lineNumbers=yes} {2}',
        /bad value "yes" for lineNumbers \(expected true or false\)/,
        [2],
      ],
    ];
    for (const [info, problem, lines] of cases) {
      const parsed = parseFenceInfo(info, 3);
      assert.equal(parsed.problems.length, 1, `${info}: ${parsed.problems.join('; ')}`);
      assert.match(parsed.problems[0] ?? '', problem, info);
      assert.deepEqual(parsed.highlightLines, lines, info);
      assert.equal(parsed.lang, 'ts');
    }
  });
});

describe('line numbers in a fence', () => {
  it('turns them on or off for the block, alone or beside line ranges', () => {
    assert.equal(parseFenceInfo('ts', 3).lineNumbers, undefined, 'the site default');
    assert.equal(parseFenceInfo('ts {lineNumbers}', 3).lineNumbers, true);
    assert.equal(parseFenceInfo('ts {lineNumbers=true}', 3).lineNumbers, true);
    assert.equal(parseFenceInfo('ts {lineNumbers=false}', 3).lineNumbers, false);
    assert.deepEqual(parseFenceInfo('ts {2-3, lineNumbers} title="a.ts"', 3), {
      lang: 'ts',
      title: 'a.ts',
      highlightLines: [2, 3],
      lineNumbers: true,
      problems: [],
    });
  });

  it('suggests {lineNumbers} for a near miss, in braces or not, and ignores it', () => {
    const cases: Array<[string, string]> = [
      [
        'ts {linenumbers}',
        'unknown fence option "linenumbers" in braces (did you mean {lineNumbers}?), ignored',
      ],
      [
        'ts {lineNumber}',
        'unknown fence option "lineNumber" in braces (did you mean {lineNumbers}?), ignored',
      ],
      [
        'ts showLineNumbers',
        'unknown fence option "showLineNumbers" (did you mean {lineNumbers}?), ignored',
      ],
      [
        'ts {wrap}',
        'unknown fence option "wrap" in braces (expected {lineNumbers} or lines such as {1,3-4}), ignored',
      ],
    ];
    for (const [info, problem] of cases) {
      const parsed = parseFenceInfo(info, 3);
      assert.deepEqual(parsed.problems, [problem], info);
      assert.equal(parsed.lineNumbers, undefined, info);
    }
  });
});

describe('code blocks', async () => {
  const renderer = createMarkdownRenderer(await createCodeHighlighter());
  const render = (body: string, bodyLine = 1) => renderer.render(body, { bodyLine });

  it('warns about bad fence options with the file line, and still renders the block', async () => {
    const body = [
      'Intro.',
      '',
      '```ts {3-1}',
      'let a = 1;',
      '```',
      '',
      '> ```js title="x',
      '> y',
      '> ```',
      '',
    ];
    const { html, warnings } = await render(body.join('\n'), 7);
    assert.deepEqual(
      warnings.map((w) => [w.line, w.message]),
      [
        [9, 'code block: bad line range "3-1" in {3-1} (lines count from 1, ranges go up)'],
        [13, 'code block: unclosed quote in title="x, title ignored'],
      ],
    );
    assert.match(html, /<span class="code-lang">TypeScript<\/span>.*let<\/span>/s);
    assert.match(html, /<span class="code-lang">JavaScript<\/span>.*y<\/span>/s);
    assert.doesNotMatch(html, /highlighted|code-title/);
  });

  it('marks exactly the highlighted lines', async () => {
    const { html } = await render('```ts {2}\nlet a = 1;\nlet b = 2;\nlet c = 3;\n```\n');
    const lines = [...html.matchAll(/<span class="(line[^"]*)">/g)].map((m) => m[1]);
    assert.deepEqual(lines, ['line', 'line highlighted', 'line']);
  });

  it('marks a block with line numbers on or off, and warns about a misspelt option with its line', async () => {
    const body = [
      '```ts {lineNumbers}',
      'a;',
      '```',
      '',
      '```',
      'b',
      '```',
      '',
      '```js {lineNumbers=false}',
      'c;',
      '```',
      '',
      '```ts {linenumbers}',
      'd;',
      '```',
      '',
    ];
    const { html, warnings } = await render(body.join('\n'), 5);
    const blocks = [...html.matchAll(/<div class="(code-block[^"]*)">/g)].map((m) => m[1]);
    assert.deepEqual(blocks, [
      'code-block line-numbers',
      'code-block',
      'code-block no-line-numbers',
      'code-block',
    ]);
    assert.deepEqual(
      warnings.map((w) => [w.line, w.message]),
      [
        [
          17,
          'code block: unknown fence option "linenumbers" in braces (did you mean {lineNumbers}?), ignored',
        ],
      ],
    );
    // The numbers are the stylesheet's: the block's text is the code alone.
    const firstCode = /<code>(.*?)<\/code>/s.exec(html)?.[1] ?? '';
    assert.equal(firstCode.replace(/<[^>]+>/g, ''), 'a;');
  });

  it('does not reuse a block highlighted differently from the memo', async () => {
    const plain = await render('```ts\nlet memo = 1;\n```\n');
    const marked = await render('```ts {1}\nlet memo = 1;\n```\n');
    assert.doesNotMatch(plain.html, /highlighted/);
    assert.match(marked.html, /class="line highlighted"/);
  });
});
