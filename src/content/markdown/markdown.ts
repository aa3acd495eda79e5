/**
 * Markdown body -> sanitized HTML plus what the site needs around it (headings, summary, word
 * count, languages, warnings).
 *
 * 1. Find the fence languages with a cheap scan of the source and load their grammars (async,
 *    only the first time a language is seen in this thread).
 * 2. Lex with a dedicated Marked instance (GFM, heading ids, footnotes), never the global one.
 * 3. Parse. Code blocks render as placeholders with a per-render random nonce a post cannot forge.
 * 4. Sanitize, then put the code blocks in place of the placeholders: highlighted blocks are
 *    generated and escaped by us, and their colors are `style` attributes the policy refuses.
 *
 * Steps 2 to 4 run in one synchronous stretch, the grammars loaded before: marked-gfm-heading-id
 * and marked-footnote keep per-document state (headings, the footnote list, its numbering) from
 * lexing to parsing, so with concurrent renders another post's lexing must never come between.
 */
import { randomUUID } from 'node:crypto';
import { Marked, type Token, type Tokens } from 'marked';
import markedFootnote from 'marked-footnote';
import { getHeadingList, gfmHeadingId, resetHeadings } from 'marked-gfm-heading-id';
import type { Heading, RenderedBody, RenderWarning } from '../types.ts';
import { codeBlockHtml, plainPre } from './code-block.ts';
import { locateCodeBlocks } from './code-lines.ts';
import { parseFenceInfo } from './fence-info.ts';
import { separateFootnoteIds } from './heading-ids.ts';
import { inlineCodeHtml } from './inline-code.ts';
import type { CodeHighlighter } from '../highlight/highlighter.ts';
import { CODE_PLACEHOLDER_ATTRIBUTE, sanitize } from './sanitize.ts';
import { collapseWhitespace, countWords, htmlText, inlineText } from './text.ts';

export interface MarkdownRenderer {
  /** `bodyLine`: the 1-based file line where the body starts (after the front matter). */
  render(body: string, options: { bodyLine: number }): Promise<RenderedBody>;
}

/** State of the one render whose synchronous parse is running, for the renderer hooks. */
interface Pass {
  nonce: string;
  /** Index into `blocks` of each code token's finished HTML. */
  blockIndex: Map<Tokens.Code, number>;
  blocks: string[];
  /** Plain text of each heading, in the order marked-gfm-heading-id records them. */
  headingTexts: string[];
}

const PLACEHOLDER = new RegExp(
  `<pre ${CODE_PLACEHOLDER_ATTRIBUTE}="([0-9a-f-]{36})/(\\d+)"></pre>`,
  'g',
);

/**
 * Every word right after a ``` or ~~~ run: a superset of the fence languages, found without
 * lexing. A grammar too many is harmless; a missed one would render its block plain, warned.
 */
const FENCE_INFO = /`{3,}[ \t]*([^\s`]+)|~{3,}[ \t]*(\S+)/g;

/** The language of a fence is the first word of its info string (```ts title="x" -> ts). */
const fenceLanguage = (token: Tokens.Code): string => /^\S*/.exec(token.lang ?? '')?.[0] ?? '';

export function createMarkdownRenderer(highlighter: CodeHighlighter): MarkdownRenderer {
  let pass: Pass | undefined;

  const marked = new Marked({ gfm: true }, gfmHeadingId(), markedFootnote(), {
    // Registered last, so these run before gfmHeadingId's; `false` falls through to it.
    renderer: {
      heading(token) {
        pass?.headingTexts.push(collapseWhitespace(inlineText(token.tokens)));
        return false;
      },
      codespan(token) {
        return inlineCodeHtml(token.text);
      },
      code(token) {
        const index = pass?.blockIndex.get(token);
        if (!pass || index === undefined) return false; // unreachable; Marked's own, sanitized
        return `<pre ${CODE_PLACEHOLDER_ATTRIBUTE}="${pass.nonce}/${index}"></pre>\n`;
      },
    },
  });

  /**
   * marked-footnote resets its reference counter only when it renders a reference, so one lexed
   * but never rendered (in an unreferenced footnote) would shift the next post's numbers.
   */
  function resetFootnoteNumbering(): void {
    marked.parser([{ type: 'footnoteRef', raw: '', index: 0, id: '', label: '' }]);
  }

  /** Lexes like `marked.parse` does, including the extensions' token walk (footnotes need it). */
  function lex(body: string): Token[] {
    resetFootnoteNumbering();
    const tokens = marked.lexer(body);
    const walk = marked.defaults.walkTokens;
    // Synchronous here: no extension of ours has an async walkTokens.
    if (walk) void marked.walkTokens(tokens, walk);
    return tokens;
  }

  function codeTokensOf(tokens: Token | Token[]): Tokens.Code[] {
    const codes: Tokens.Code[] = [];
    void marked.walkTokens(Array.isArray(tokens) ? tokens : [tokens], (token) => {
      if (token.type === 'code') codes.push(token as Tokens.Code);
    });
    return codes;
  }

  /**
   * The HTML of one block: highlighted, or plain and escaped, in its code-block wrapper.
   * Problems (unknown language, bad fence options) become warnings; the block still renders.
   */
  function blockHtml(code: Tokens.Code, line: number, warnings: RenderWarning[]): string {
    const info = parseFenceInfo(code.lang ?? '', code.text.split('\n').length);
    for (const problem of info.problems) warnings.push({ line, message: `code block: ${problem}` });
    const { lang, title, highlightLines, lineNumbers } = info;
    const language = lang === '' ? undefined : (highlighter.displayName(lang) ?? lang);
    return codeBlockHtml({
      pre: preHtml(code.text, lang, highlightLines, line, warnings),
      title,
      language,
      lineNumbers,
    });
  }

  function preHtml(
    text: string,
    lang: string,
    highlightLines: number[],
    line: number,
    warnings: RenderWarning[],
  ): string {
    if (lang !== '' && !highlighter.isKnown(lang)) {
      const message = `unknown code language "${lang}", shown without highlighting`;
      warnings.push({ line, message });
    } else if (lang !== '') {
      try {
        return highlighter.highlight(text, lang, highlightLines);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        warnings.push({ line, message: `could not highlight "${lang}" code: ${reason}` });
      }
    }
    return plainPre(text, lang, highlightLines);
  }

  /** Lex, parse, sanitize: synchronously (see the file comment). */
  function renderNow(body: string, bodyLine: number): RenderedBody {
    const tokens = lex(body);
    const codes = codeTokensOf(tokens);
    const lines = locateCodeBlocks(body, tokens, codeTokensOf);
    const warnings: RenderWarning[] = [];
    const current: Pass = {
      nonce: randomUUID(),
      blockIndex: new Map(),
      blocks: [],
      headingTexts: [],
    };
    for (const code of codes) {
      current.blockIndex.set(code, current.blocks.length);
      current.blocks.push(blockHtml(code, bodyLine + (lines.get(code) ?? 0), warnings));
    }

    let parsed: string;
    let headings: Heading[];
    pass = current;
    try {
      resetHeadings();
      parsed = marked.parser(tokens);
      headings = getHeadingList().map((heading, i) => ({
        depth: heading.level,
        id: heading.id,
        text: current.headingTexts[i] ?? collapseWhitespace(htmlText(heading.text)),
      }));
    } finally {
      pass = undefined;
    }
    parsed = separateFootnoteIds(parsed, headings);

    // Wide tables scroll sideways (style.css): like code blocks, keyboard users must be able to
    // reach them to scroll (WCAG 2.1.1; axe-core's scrollable-region-focusable).
    const safe = sanitize(parsed).replace(/<table(?=[\s>])/g, '<table tabindex="0"');
    // Counted before the code goes back in: prose only (see countWords in text.ts).
    const wordCount = countWords(htmlText(safe));
    const html = safe.replace(PLACEHOLDER, (placeholder, nonce: string, index: string) =>
      nonce === current.nonce ? (current.blocks[Number(index)] ?? '') : placeholder,
    );

    return {
      html,
      headings,
      firstParagraph: firstParagraph(tokens),
      wordCount,
      languages: [...new Set(codes.map(fenceLanguage).filter((lang) => lang !== ''))],
      warnings,
    };
  }

  return {
    async render(body, { bodyLine }) {
      const missing = new Set<string>();
      for (const [, backticks, tildes] of body.matchAll(FENCE_INFO)) {
        const lang = backticks ?? tildes ?? '';
        if (highlighter.isKnown(lang) && !highlighter.isLoaded(lang)) missing.add(lang);
      }
      if (missing.size > 0) {
        // A grammar that fails to load is reported per block (by blockHtml), not thrown.
        await highlighter.ensureLanguages(missing).catch(() => {});
      }
      return renderNow(body, bodyLine);
    },
  };
}

/** Plain text of the first top-level paragraph that has any (an image alone has none). */
function firstParagraph(tokens: readonly Token[]): string {
  for (const token of tokens) {
    if (token.type !== 'paragraph') continue;
    const text = collapseWhitespace(inlineText(token.tokens));
    if (text !== '') return text;
  }
  return '';
}
