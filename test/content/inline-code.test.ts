/**
 * Inline code's break points (issue #19): which spans stay whole and where a long one may break.
 * Where the lines really break on a phone is measured in Chromium (test/system/browser/theme.test.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHTML } from 'entities';
import fc from 'fast-check';
import { createCodeHighlighter } from '../../src/content/highlight/highlighter.ts';
import { inlineCodeHtml } from '../../src/content/markdown/inline-code.ts';
import { createMarkdownRenderer } from '../../src/content/markdown/markdown.ts';

/** The text a reader copies or searches: the markup without its tags. */
const textOf = (html: string) => decodeHTML(html.replace(/<[^>]*>/g, ''));

/** The pieces between break opportunities (`<wbr>`) of a word, marked as the markup says. */
const breaksIn = (html: string) => html.replace(/<\/?code[^>]*>/g, '').split('<wbr>');

describe('inline code', () => {
  it('keeps a short span whole', () => {
    for (const text of ['--port', 'X-Forwarded-Proto', '- [x]', '6 posts OK', 'a/b.c_d']) {
      assert.match(inlineCodeHtml(text), /^<code class="nowrap">[^<]*<\/code>$/, text);
    }
  });

  it('breaks a long path after its slashes and before the dots and underscores of names', () => {
    assert.deepEqual(breaksIn(inlineCodeHtml('k8s/overlays/production/config.env')), [
      'k8s/',
      'overlays/',
      'production/',
      'config.',
      'env',
    ]);
    assert.deepEqual(breaksIn(inlineCodeHtml('registry.example/quire_image:0.2.0')), [
      'registry.',
      'example/',
      'quire_',
      'image:0.2.0', // a version number stays whole
    ]);
  });

  it('keeps the short words of a long span whole, and leading hyphens with their name', () => {
    const html = inlineCodeHtml('npm start -- --crash-loop-window-ms-of-the-primary=5');
    assert.equal(
      html,
      '<code><span class="nowrap">npm</span> <span class="nowrap">start</span> ' +
        '<span class="nowrap">--</span> <span class="nowrap">--crash</span>' +
        '-loop-window-ms-of-the-primary=5</code>',
    );
  });

  it('never changes the text: copying and searching see the code as written', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 80 }), (text) => {
        assert.equal(textOf(inlineCodeHtml(text)), text);
      }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'Z', '9', '/', '.', '_', '-', ' ', '<', '&', '"'), {
          maxLength: 80,
        }),
        (chars) => {
          const text = chars.join('');
          assert.equal(textOf(inlineCodeHtml(text)), text);
        },
      ),
    );
  });

  it('is what Markdown code spans render to, escaped', async () => {
    const renderer = createMarkdownRenderer(await createCodeHighlighter());
    const { html } = await renderer.render(
      'Run `a <b> & c` or `schemas/front-matter.schema.json`.\n',
      { bodyLine: 1 },
    );
    assert.equal(
      html,
      '<p>Run <code class="nowrap">a &lt;b&gt; &amp; c</code> or ' +
        '<code>schemas/<wbr />front-matter.<wbr />schema.<wbr />json</code>.</p>\n',
    );
  });
});
