/**
 * Syntax highlighting of fenced code blocks with Shiki.
 *
 * - One Shiki instance per process or thread (a module-level promise): creating one and
 *   compiling grammars is expensive.
 * - JavaScript regex engine: no WASM to instantiate, and faster than Oniguruma on our posts;
 *   wrapped so the two themes' passes share their regex work (regex-engine.ts).
 * - Both GitHub themes at once with `defaultColor: false`: the HTML carries only CSS variables
 *   (`--shiki-light`, `--shiki-dark`, ...) and the page's CSS picks one with
 *   `prefers-color-scheme`. No theme is baked into the cached HTML.
 * - Grammars load on demand (a post about Go should not pay for 200 other grammars).
 * - A bounded memo of highlighted blocks: re-rendering an edited post (the dev server) only
 *   re-highlights the blocks that changed.
 */
import { hash } from 'node:crypto';
import { createHighlighterCore, type HighlighterCore, type ShikiTransformer } from 'shiki/core';
import { bundledLanguagesInfo } from 'shiki/langs';
import { bundledThemes } from 'shiki/themes';
import { hastToHtml } from './hast-html.ts';
import { LruMemo } from './memo.ts';
import { createSharingRegexEngine } from './regex-engine.ts';
import { THEMES } from './themes.ts';

/**
 * github-light-default's comments (#6e7781) are 4.55:1 on white and fail AA on any tinted
 * background; #59636e is the muted text colour of GitHub's Primer palette (5.7:1 on #f6f8fa).
 */
const COLOR_REPLACEMENTS = { [THEMES.light]: { '#6e7781': '#59636e' } };

export interface CodeHighlighter {
  /** Loads the grammars of these fence languages. Unknown names are ignored (see `isKnown`). */
  ensureLanguages(langs: Iterable<string>): Promise<void>;
  /** Whether Shiki has a grammar for this fence language (ids and aliases, any case). */
  isKnown(lang: string): boolean;
  /** Whether `highlight` can run now for this language, without `ensureLanguages`. */
  isLoaded(lang: string): boolean;
  /**
   * The `<pre class="shiki ...">` of one block, each line a `<span class="line">`, the 1-based
   * `highlightLines` also `highlighted`. Synchronous: throws for a language not known and loaded.
   */
  highlight(code: string, lang: string, highlightLines?: readonly number[]): string;
  /**
   * Puts HTML that `highlight` made for this block (in an earlier process, byte for byte: same
   * renderer fingerprint) into the memo, so a post's first edit in the dev server only
   * re-highlights its changed blocks (issue #4). No-op for a language Shiki does not know.
   */
  seed(code: string, lang: string, highlightLines: readonly number[], html: string): void;
  /** A language's name for people (`ts` -> `TypeScript`), if Shiki knows it. */
  displayName(lang: string): string | undefined;
  /** For tests and the dev server: blocks Shiki tokenized, and blocks served from the memo. */
  readonly stats: Readonly<{ shikiCalls: number; memoHits: number }>;
}

/** Shiki's plain-text languages: known without a grammar, rendered uncolored but themed. */
const PLAIN_LANGS = new Set(['text', 'txt', 'plain', 'plaintext']);
/** Terminal output with ANSI escapes: Shiki colors it without a grammar too. */
const ANSI = 'ansi';

type LanguageImport = (typeof bundledLanguagesInfo)[number]['import'];

/** Fence name (lowercased id or alias) -> canonical Shiki id, name and grammar loader. */
const LANGUAGES = new Map<string, { id: string; name: string; load: LanguageImport }>();
for (const info of bundledLanguagesInfo) {
  for (const name of [info.id, ...(info.aliases ?? [])]) {
    LANGUAGES.set(name.toLowerCase(), { id: info.id, name: info.name, load: info.import });
  }
}

/**
 * Shiki's options for every block, but its language and line marks: exported for the test that
 * compares this highlighter with plain Shiki given the same options (highlight-engine.test.ts).
 */
export const SHIKI_OPTIONS = {
  themes: THEMES,
  defaultColor: false,
  colorReplacements: COLOR_REPLACEMENTS,
  // Shiki's default 500 ms limit per line counts the lazy compilation of a grammar's regexes
  // (seconds for C++ on a busy machine): past it a line came out uncolored, differently from run
  // to run, and was cached so. Instead, absurdly long lines (minified code) are not tokenized.
  tokenizeTimeLimit: 0,
  tokenizeMaxLineLength: 10_000,
} as const;

/** Enough for every block of a few hundred posts (~8 KB of HTML each); bounded in bytes too. */
const MEMO_MAX_ENTRIES = 2000;
const MEMO_MAX_CHARS = 16_000_000;

let instance: Promise<CodeHighlighter> | undefined;

/** Adds the class `highlighted` to these 1-based lines (```ts {1,3-4}). */
function markLines(lines: ReadonlySet<number>): ShikiTransformer {
  return {
    line(node, line) {
      if (lines.has(line)) this.addClassToHast(node, 'highlighted');
    },
  };
}

/** The highlighter of this thread, created on first call. */
export function createCodeHighlighter(): Promise<CodeHighlighter> {
  instance ??= create().catch((error: unknown) => {
    instance = undefined; // let a later call retry instead of caching the failure
    throw error;
  });
  return instance;
}

/** Canonical Shiki id of a fence language, or undefined if Shiki does not know it. */
function resolve(lang: string): string | undefined {
  const name = lang.toLowerCase();
  if (PLAIN_LANGS.has(name)) return 'text';
  if (name === ANSI) return ANSI;
  return LANGUAGES.get(name)?.id;
}

/** Keyed by the canonical id: ```ts and ```typescript share entries. */
const memoKey = (id: string, highlightLines: readonly number[], code: string): string =>
  hash('sha256', `${id}\0${highlightLines.join(',')}\0${code}`, 'base64url');

async function create(): Promise<CodeHighlighter> {
  const engine = createSharingRegexEngine();
  const shiki: HighlighterCore = await createHighlighterCore({
    themes: [bundledThemes[THEMES.light](), bundledThemes[THEMES.dark]()],
    langs: [],
    engine,
  });
  const loading = new Map<string, Promise<void>>();
  const memo = new LruMemo(MEMO_MAX_ENTRIES, MEMO_MAX_CHARS);
  const stats = { shikiCalls: 0, memoHits: 0 };

  // Hot path of every block: a Set rather than Shiki's freshly built list of loaded names.
  const loaded = new Set<string>(['text', ANSI]);
  const isLoaded = (lang: string): boolean => {
    const id = resolve(lang);
    if (id === undefined) return false;
    if (loaded.has(id)) return true;
    // Also catches grammars Shiki loaded as a dependency of another (e.g. css inside html).
    if (!shiki.getLoadedLanguages().includes(id)) return false;
    loaded.add(id);
    return true;
  };

  return {
    stats,
    isKnown: (lang) => resolve(lang) !== undefined,
    isLoaded,
    displayName: (lang) => LANGUAGES.get(lang.toLowerCase())?.name,

    async ensureLanguages(langs) {
      const pending: Promise<void>[] = [];
      for (const lang of langs) {
        const name = lang.toLowerCase();
        const entry = LANGUAGES.get(name);
        if (!entry || isLoaded(name)) continue;
        // Share one load between concurrent renders asking for the same grammar.
        let load = loading.get(entry.id);
        if (!load) {
          load = shiki.loadLanguage(entry.load);
          loading.set(entry.id, load);
          load.catch(() => loading.delete(entry.id)); // a failed import may be retried
        }
        pending.push(load);
      }
      await Promise.all(pending);
    },

    seed(code, lang, highlightLines, html) {
      const id = resolve(lang);
      if (id !== undefined) memo.set(memoKey(id, highlightLines, code), html);
    },

    highlight(code, lang, highlightLines = []) {
      const id = resolve(lang);
      if (id === undefined) throw new Error(`Unknown code language "${lang}"`);
      if (!isLoaded(id)) throw new Error(`Code language "${lang}" is not loaded yet`);
      const key = memoKey(id, highlightLines, code);
      const cached = memo.get(key);
      if (cached !== undefined) {
        stats.memoHits++;
        return cached;
      }
      stats.shikiCalls++;
      engine.nextBlock();
      // codeToHast + our serializer gives byte-identical output to codeToHtml, faster
      // (see hast-html.ts; a test checks the two agree).
      const html = hastToHtml(
        shiki.codeToHast(code, {
          ...SHIKI_OPTIONS,
          lang: id,
          transformers: highlightLines.length > 0 ? [markLines(new Set(highlightLines))] : [],
        }),
      );
      memo.set(key, html);
      return html;
    },
  };
}
