import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { createHighlighterCore } from 'shiki/core';
import { createJavaScriptRegexEngine } from 'shiki/engine/javascript';
import { bundledLanguagesInfo } from 'shiki/langs';
import { bundledThemes } from 'shiki/themes';
import { rendererFingerprint } from '../../src/content/cache/fingerprint.ts';
import { hastToHtml } from '../../src/content/highlight/hast-html.ts';
import { createCodeHighlighter } from '../../src/content/highlight/highlighter.ts';
import { THEMES } from '../../src/content/highlight/themes.ts';
import { createMarkdownRenderer } from '../../src/content/markdown/markdown.ts';
import { LruMemo } from '../../src/content/highlight/memo.ts';

const FIXTURES = new URL('../fixtures/render/', import.meta.url);
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const highlighter = await createCodeHighlighter();
const renderer = createMarkdownRenderer(highlighter);
const render = (body: string, bodyLine = 1) => renderer.render(body, { bodyLine });

/** Shiki calls made while `work` runs (the highlighter and its memo are shared by all tests). */
async function shikiCallsDuring(work: () => Promise<unknown>): Promise<number> {
  const before = highlighter.stats.shikiCalls;
  await work();
  return highlighter.stats.shikiCalls - before;
}

const idsOf = (html: string) => [...html.matchAll(/ id="([^"]*)"/g)].map((m) => m[1]);

describe('golden files: test/fixtures/render/<name>.md -> <name>.html', async () => {
  const names = (await readdir(FIXTURES)).filter((f) => f.endsWith('.md')).sort();
  assert.ok(names.length >= 5);
  for (const name of names) {
    const golden = new URL(name.replace(/\.md$/, '.html'), FIXTURES);
    it(name, async () => {
      const { html } = await render(await readFile(new URL(name, FIXTURES), 'utf8'));
      if (UPDATE) await writeFile(golden, html);
      const expected = await readFile(golden, 'utf8').catch(() => {
        throw new Error(`${golden.pathname} is missing: run with UPDATE_GOLDEN=1 to create it`);
      });
      assert.equal(html, expected);
      const ids = idsOf(html);
      assert.deepEqual(ids, [...new Set(ids)], 'ids must be unique within a post');
    });
  }
});

describe('markdown renderer', () => {
  it('warns about unknown languages with the line in the file, wherever the fence is', async () => {
    const body = [
      'Intro.', // 0
      '', // 1
      '```klingon', // 2
      "Qapla'", // 3
      '```', // 4
      'A paragraph right before a fence:', // 5
      '```klingon', // 6
      'again', // 7
      '```', // 8
      '', // 9
      '- item', // 10
      '', // 11
      '  ```vulcan', // 12
      '  y', // 13
      '  ```', // 14
      '', // 15
      '> quote', // 16
      '>', // 17
      '> ```romulan', // 18
      '> z', // 19
      '> ```', // 20
      '', // 21
      'Text.[^1]', // 22
      '', // 23
      '[^1]: Note.', // 24
      '', // 25
      '    ```ferengi', // 26
      '    w', // 27
      '    ```', // 28
      '',
    ].join('\n');
    const expected = [2, 6, 12, 18, 26].map((offset) => 10 + offset);
    for (const source of [body, body.replaceAll('\n', '\r\n')]) {
      const { warnings, html } = await render(source, 10);
      assert.deepEqual(
        warnings.map((w) => w.line),
        expected,
      );
      assert.match(warnings[0]?.message ?? '', /unknown code language "klingon"/);
      assert.match(
        html,
        /<pre tabindex="0"><code class="language-klingon"><span class="line">Qapla&#39;<\/span><\/code><\/pre>/,
      );
    }
  });

  it('renders a fence without a language as a plain escaped block, without a warning', async () => {
    const { html, warnings, languages } = await render('```\n<b>&amp;</b>\n```\n');
    assert.equal(
      html,
      '<div class="code-block"><pre tabindex="0"><code><span class="line">&lt;b&gt;&amp;amp;&lt;/b&gt;</span></code></pre></div>\n',
    );
    assert.deepEqual(warnings, []);
    assert.deepEqual(languages, []);
  });

  it('lists headings with unique ids and plain text', async () => {
    const { headings } = await render(
      '# Hello, *World*!\n\n## Hello, World!\n\n### `code` &amp; more\n\n## Footnote 1\n\nx[^1]\n\n[^1]: n\n',
    );
    assert.deepEqual(headings, [
      { depth: 1, id: 'hello-world', text: 'Hello, World!' },
      { depth: 2, id: 'hello-world-1', text: 'Hello, World!' },
      { depth: 3, id: 'code--more', text: 'code & more' },
      // marked-footnote's own ids are footnote-1 and footnote-ref-1
      { depth: 2, id: 'footnote-1-1', text: 'Footnote 1' },
    ]);
  });

  it('takes the first paragraph with text, decoded, without tags, whitespace collapsed', async () => {
    const { firstParagraph } = await render(
      '![hero](h.png)\n\n# Title\n\nThe *first*   real\nparagraph &amp; more &mdash; <kbd>K</kbd>.[^1] `a &amp; b`\n\nSecond.\n\n[^1]: n\n',
    );
    assert.equal(firstParagraph, 'The first real paragraph & more — K. a &amp; b');
    assert.equal((await render('# Only a heading\n')).firstParagraph, '');
  });

  it('counts the words of prose, not of code blocks', async () => {
    const { wordCount } = await render(
      "# Title\n\nOne two three's.\n\n```ts\nconst not = counted;\n```\n\n    indented not counted\n\n- four `five`\n",
    );
    assert.equal(wordCount, 6);
  });

  it('lists the distinct fence languages as written', async () => {
    const { languages } = await render(
      '```ts\na\n```\n\n```klingon\nb\n```\n\n```ts\nc\n```\n\n```\nd\n```\n\n```Python\ne\n```\n',
    );
    assert.deepEqual(languages, ['ts', 'klingon', 'Python']);
  });

  it('resolves aliases and ignores case', async () => {
    const { html, warnings } = await render('```YML\na: 1\n```\n\n```sh\nls\n```\n');
    assert.deepEqual(warnings, []);
    assert.equal(html.match(/<pre class="shiki/g)?.length, 2);
  });

  it('re-highlights only the blocks that changed', async () => {
    const marker = `m${Date.now()}`;
    const post = (second: string) =>
      `# Post\n\n\`\`\`ts\nconst a = '${marker}';\n\`\`\`\n\n\`\`\`python\nb = '${second}'\n\`\`\`\n\n\`\`\`bash\necho ${marker}\n\`\`\`\n`;
    assert.equal(await shikiCallsDuring(() => render(post(marker))), 3);
    assert.equal(await shikiCallsDuring(() => render(post(marker))), 0);
    assert.equal(await shikiCallsDuring(() => render(post(`${marker}-edited`))), 1);
  });

  it('gives the same result to concurrent renders as to one at a time', async () => {
    // Languages not used elsewhere, so some renders load grammars while others lex and parse.
    const langs = ['toml', 'ini', 'diff', 'lua', 'toml', 'ini'];
    const posts = langs.map(
      (lang, i) =>
        `# Post ${i}\n\nText.[^a] More.[^b]\n\n\`\`\`${lang}\nx = ${i}\n\`\`\`\n\n[^a]: A ${i}.\n\n[^b]: B ${i}.\n`,
    );
    const together = await Promise.all(posts.map((post) => render(post)));
    for (const [i, post] of posts.entries()) {
      assert.deepEqual(together[i], await render(post));
      assert.match(together[i]?.html ?? '', /href="#footnote-a"[^>]*>1<\/a>/);
    }
  });

  it('numbers footnotes from 1 in every post', async () => {
    // [^b] is referenced only from a footnote nobody references: lexed, never rendered.
    await render('Text.\n\n[^a]: See [^b].\n\n[^b]: B.\n');
    const { html } = await render('Text.[^x]\n\n[^x]: X.\n');
    assert.match(html, /<a id="footnote-ref-x" href="#footnote-x" [^>]*>1<\/a>/);
  });

  it('never substitutes a placeholder it did not make', async () => {
    const { html } = await render(
      '<pre data-quire-block="00000000-0000-0000-0000-000000000000/0"></pre>\n\n```ts\nconst a = 1;\n```\n',
    );
    assert.equal(html.match(/<pre class="shiki/g)?.length, 1);
    assert.match(html, /^<pre data-quire-block="00000000-0000-0000-0000-000000000000\/0"><\/pre>/);
  });
});

describe('code highlighter', () => {
  it('is one instance per thread', async () => {
    assert.equal(await createCodeHighlighter(), highlighter);
  });

  it('knows Shiki languages and their aliases, and plain text', () => {
    for (const lang of ['ts', 'TypeScript', 'js', 'sh', 'yml', 'py', 'text', 'txt', 'ansi']) {
      assert.ok(highlighter.isKnown(lang), lang);
    }
    assert.equal(highlighter.isKnown('klingon'), false);
  });

  it('uses CSS variables for both themes, no default color', async () => {
    await highlighter.ensureLanguages(['ts']);
    const html = highlighter.highlight('let a = 1;', 'ts');
    assert.match(
      html,
      /^<pre class="shiki shiki-themes github-light-default github-dark-default" style="[^"]*--shiki-light-bg:#ffffff;--shiki-dark-bg:#0d1117"/,
    );
    assert.match(html, /<span style="--shiki-light:#CF222E;--shiki-dark:#FF7B72">let<\/span>/);
    assert.doesNotMatch(html, /[^-]color:/);
  });

  it('throws for a language that is not loaded, rather than guessing', () => {
    assert.throws(() => highlighter.highlight('x', 'klingon'), /Unknown code language/);
  });

  it('serializes Shiki HAST byte-identically to Shiki codeToHtml', async () => {
    const shiki = await createHighlighterCore({
      themes: [bundledThemes[THEMES.light](), bundledThemes[THEMES.dark]()],
      langs: ['typescript', 'html', 'shellscript'].map(
        (id) => bundledLanguagesInfo.find((info) => info.id === id)?.import ?? [],
      ),
      engine: createJavaScriptRegexEngine({ forgiving: true }),
    });
    const samples: [string, string][] = [
      ['typescript', 'const s: string = "a & b < c > d"; // \'quote\'\n\n\tindented();\n'],
      ['html', '<a href="x?y=1&z=2" title=\'"\'>&amp; &lt;</a>\n<!-- c -->'],
      ['shellscript', 'echo "$HOME" && cat <<EOF\n<b>\nEOF'],
    ];
    for (const [lang, code] of samples) {
      // No time limit: on a loaded machine Shiki's default 500 ms per line can cut one of the two
      // tokenizations short and make them differ (as Quire's own highlighter, see TOKENIZE).
      const options = { lang, themes: THEMES, defaultColor: false, tokenizeTimeLimit: 0 } as const;
      assert.equal(hastToHtml(shiki.codeToHast(code, options)), shiki.codeToHtml(code, options));
    }
    shiki.dispose();
  });
});

describe('LruMemo', () => {
  it('evicts the least recently used entry past its entry bound', () => {
    const memo = new LruMemo(2, 1000);
    memo.set('a', '1');
    memo.set('b', '2');
    memo.get('a');
    memo.set('c', '3');
    assert.equal(memo.get('b'), undefined);
    assert.equal(memo.get('a'), '1');
    assert.equal(memo.get('c'), '3');
  });

  it('stays within its character budget', () => {
    const memo = new LruMemo(100, 10);
    memo.set('a', '12345');
    memo.set('b', '12345');
    memo.set('c', '1');
    assert.equal(memo.get('a'), undefined);
    assert.equal(memo.size, 2);
    memo.set('huge', '12345678901');
    assert.equal(memo.get('huge'), undefined);
  });
});

describe('rendererFingerprint', () => {
  it('is a stable hex digest', () => {
    const fingerprint = rendererFingerprint();
    assert.match(fingerprint, /^[0-9a-f]{32}$/);
    assert.equal(rendererFingerprint(), fingerprint);
  });
});
