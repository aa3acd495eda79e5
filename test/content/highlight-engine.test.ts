/**
 * The sharing regex engine (src/content/highlight/regex-engine.ts) may only save time, never change
 * a byte (issue #17 §6): Quire's highlighter against plain Shiki — `codeToHtml` of a highlighter
 * with Shiki's own JavaScript regex engine, unwrapped, given the same themes and options — over
 * every golden fixture rendered whole, and over code samples in 35 languages
 * (test/fixtures/highlight/), each highlighted twice as different blocks in another order, so a
 * search remembered from one block can never leak into the next.
 */
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { createHighlighterCore, type HighlighterCore, type ShikiTransformer } from 'shiki/core';
import { createJavaScriptRegexEngine } from 'shiki/engine/javascript';
import { bundledLanguages } from 'shiki/langs';
import { bundledThemes } from 'shiki/themes';
import {
  type CodeHighlighter,
  createCodeHighlighter,
  SHIKI_OPTIONS,
} from '../../src/content/highlight/highlighter.ts';
import { THEMES } from '../../src/content/highlight/themes.ts';
import { createMarkdownRenderer } from '../../src/content/markdown/markdown.ts';

const GOLDEN = new URL('../fixtures/render/', import.meta.url);
const SAMPLES = new URL('../fixtures/highlight/', import.meta.url);

const ours = await createCodeHighlighter();
const shiki: HighlighterCore = await createHighlighterCore({
  themes: [bundledThemes[THEMES.light](), bundledThemes[THEMES.dark]()],
  langs: [],
  engine: createJavaScriptRegexEngine({ forgiving: true }),
});

/** What a "{1,3-4}" fence option asks for: those lines get the class `highlighted`. */
const marked = (lines: readonly number[]): ShikiTransformer[] =>
  lines.length === 0
    ? []
    : [
        {
          line(node, line) {
            if (lines.includes(line)) this.addClassToHast(node, 'highlighted');
          },
        },
      ];

const load = async (lang: string) => {
  const grammar = bundledLanguages[lang.toLowerCase() as keyof typeof bundledLanguages];
  if (grammar) await shiki.loadLanguage(grammar);
};

/** Plain Shiki's HTML for one block. */
async function plain(code: string, lang: string, lines: readonly number[] = []): Promise<string> {
  await load(lang);
  return shiki.codeToHtml(code, { ...SHIKI_OPTIONS, lang, transformers: marked(lines) });
}

/**
 * A highlighter whose blocks are plain Shiki's, to render whole posts with: which languages
 * exist, and their names, are asked of Quire's (they are not what this test is about).
 */
const plainHighlighter: CodeHighlighter = {
  stats: { shikiCalls: 0, memoHits: 0 },
  isKnown: (lang) => ours.isKnown(lang),
  displayName: (lang) => ours.displayName(lang),
  isLoaded: () => false, // so the renderer calls ensureLanguages for every language it meets
  ensureLanguages: async (langs) => {
    for (const lang of langs) await load(lang);
  },
  seed: () => {},
  highlight: (code, lang, lines = []) =>
    shiki.codeToHtml(code, {
      ...SHIKI_OPTIONS,
      lang: lang.toLowerCase(),
      transformers: marked(lines),
    }),
};

describe('the highlighter is byte-identical to plain Shiki', async () => {
  const goldens = (await readdir(GOLDEN)).filter((name) => name.endsWith('.md')).sort();
  const samples = (await readdir(SAMPLES)).filter((name) => name.endsWith('.txt')).sort();

  it('on every golden fixture, rendered whole: the same page as with plain Shiki', async () => {
    const quire = createMarkdownRenderer(ours);
    const reference = createMarkdownRenderer(plainHighlighter);
    let blocks = 0;
    for (const name of goldens) {
      const body = await readFile(new URL(name, GOLDEN), 'utf8');
      const expected = (await reference.render(body, { bodyLine: 1 })).html;
      assert.equal((await quire.render(body, { bodyLine: 1 })).html, expected, name);
      blocks += expected.split('<pre class="shiki').length - 1;
    }
    assert.ok(blocks >= 10, `highlighted blocks compared: ${blocks}`);
  });

  it(`on code in ${samples.length} languages, block after block`, async () => {
    assert.ok(samples.length >= 20);
    const blocks = await Promise.all(
      samples.map(async (name) => ({
        lang: name.replace(/\.txt$/, ''),
        code: (await readFile(new URL(name, SAMPLES), 'utf8')).trimEnd(),
      })),
    );
    const unknown = blocks.filter(({ lang }) => !ours.isKnown(lang)).map(({ lang }) => lang);
    assert.deepEqual(unknown, [], 'every sample is in a language Shiki knows');
    await ours.ensureLanguages(blocks.map(({ lang }) => lang));

    // Second pass: different blocks (one more line each, so the memo cannot answer), in the
    // reverse order, with a few lines marked.
    const second = blocks
      .map(({ lang, code }, index) => ({
        lang,
        code: `${code}\n${code.split('\n')[index % 3] ?? ''}`,
        lines: [1, 3],
      }))
      .reverse();
    const differing: string[] = [];
    const callsBefore = ours.stats.shikiCalls;
    for (const { lang, code, lines = [] } of [
      ...blocks.map((b) => ({ ...b, lines: [] })),
      ...second,
    ]) {
      const html = ours.highlight(code, lang, lines);
      if (html !== (await plain(code, lang, lines))) differing.push(lang);
    }
    assert.equal(ours.stats.shikiCalls - callsBefore, blocks.length * 2, 'every block tokenized');
    assert.deepEqual(differing, []);
  });
});
