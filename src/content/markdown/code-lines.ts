/**
 * Where each code block starts in the body, so a warning can name a file line.
 *
 * Marked tokens carry no positions, only their `raw` source. Top-level raws are consecutive
 * slices of the (newline-normalized) body, which places each top-level block exactly. Nested
 * raws lose their indentation and `>` markers, so there we look for the block's opening line, in
 * document order, from the start of its top-level block, whose line it gets if that ever fails.
 */
import type { Token, Tokens } from 'marked';

/** What may precede a nested code block's opening line: indentation, `>`, list markers, `[^n]:`. */
const CONTAINER_PREFIX = /^(?:\[\^[^\]\n]+\]:)?[ \t>]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+[ \t>]*)*$/;

const lineCount = (text: string) => text.split('\n').length - 1;

/**
 * 0-based body line of every code token. `codeTokensOf` lists the code tokens inside one
 * top-level token in document order (Marked's `walkTokens`, which knows extension children).
 */
export function locateCodeBlocks(
  body: string,
  tokens: readonly Token[],
  codeTokensOf: (token: Token) => Tokens.Code[],
): Map<Tokens.Code, number> {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const located = new Map<Tokens.Code, number>();
  let line = 0;
  for (const token of tokens) {
    // marked-footnote's collected footnotes: its raw is a caption, not source (the
    // definitions themselves stay in place as `footnote` tokens).
    if (token.type === 'footnotes') continue;
    if (token.type === 'code') {
      located.set(token as Tokens.Code, line);
    } else {
      let cursor = line;
      for (const code of codeTokensOf(token)) {
        const found = findOpeningLine(lines, code, cursor);
        located.set(code, found ?? line);
        if (found !== undefined) cursor = found + lineCount(code.raw.trimEnd()) + 1;
      }
    }
    line += lineCount(token.raw);
  }
  return located;
}

function findOpeningLine(lines: string[], code: Tokens.Code, from: number): number | undefined {
  const opening = (code.raw.split('\n', 1)[0] ?? '').trim();
  if (opening === '') return undefined;
  for (let i = from; i < lines.length; i++) {
    const line = (lines[i] ?? '').trimEnd();
    if (line.endsWith(opening) && CONTAINER_PREFIX.test(line.slice(0, -opening.length))) return i;
  }
  return undefined;
}
