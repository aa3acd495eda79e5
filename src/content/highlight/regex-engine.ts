/**
 * Shiki's JavaScript regex engine, with the regex work shared between the two themes.
 *
 * Shiki tokenizes a block once per theme, and nearly all of that time goes into regex searches
 * that are the same in both passes: the grammar's scanners do not depend on the theme. A search
 * is a pure function of (line, start position, options), so each scanner remembers its results
 * until the next block (`nextBlock()`) and the second pass is mostly map lookups (issue #17 §6
 * keeps it only with its test: test/content/highlight-engine.test.ts checks the output is
 * byte-identical to plain Shiki's, over the golden fixtures and code in 35 languages).
 */
import type { PatternScanner, RegexEngine } from 'shiki/core';
import { createJavaScriptRegexEngine } from 'shiki/engine/javascript';

type Match = ReturnType<PatternScanner['findNextMatchSync']>;

export interface SharingRegexEngine extends RegexEngine {
  /** Forget remembered searches: call before each block (memory stays one block's worth). */
  nextBlock(): void;
}

export function createSharingRegexEngine(): SharingRegexEngine {
  // `forgiving`: a grammar pattern the engine cannot translate is skipped, not fatal.
  const base = createJavaScriptRegexEngine({ forgiving: true });
  let block = 0;
  return {
    nextBlock() {
      block++;
    },
    createString: (text) => base.createString(text),
    createScanner(patterns) {
      const scanner = base.createScanner(patterns);
      // line text -> (start position * 16 + options) -> result; options are 4 bit flags.
      const results = new Map<string, Map<number, Match>>();
      let resultsBlock = block;
      return {
        findNextMatchSync(text, start, options) {
          if (resultsBlock !== block) {
            results.clear();
            resultsBlock = block;
          }
          const line = typeof text === 'string' ? text : text.content;
          let byStart = results.get(line);
          if (byStart === undefined) {
            byStart = new Map();
            results.set(line, byStart);
          }
          const key = start * 16 + options;
          let match = byStart.get(key);
          if (match === undefined) {
            match = scanner.findNextMatchSync(text, start, options);
            byStart.set(key, match);
          }
          return match;
        },
      };
    },
  };
}
