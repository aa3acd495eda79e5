/**
 * The cold-render floor: Shiki alone, highlighting every fenced code block of the bench's
 * posts, with nothing else (no Markdown, no sanitizing, no cache, no server). Whatever Quire's
 * cold render takes beyond this is Quire's; this part is the highlighter that issue #2 mandates
 * (issue #17: a cold render within 1.5 × the two-theme figure).
 *
 * Plain Shiki, as its README shows it: `createHighlighter` with the grammars the posts use, then
 * `codeToHtml` for each block, with one theme and with Quire's two (light and dark at once,
 * `defaultColor: false`), on both of Shiki's regex engines. Each language is used once before
 * the clock starts, so the figures leave out loading and most grammar compilation: a floor.
 *
 *   node bench/shiki-alone.ts <posts dir>   -> one JSON object on stdout
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundledLanguages, createHighlighter } from 'shiki';
import { createOnigurumaEngine } from 'shiki/engine/oniguruma';
import { createJavaScriptRegexEngine } from 'shiki/engine/javascript';
import { THEMES } from './themes.ts';

const FENCE = /^```(\w[\w+-]*)\n([\s\S]*?)\n```$/gm;

interface Block {
  lang: string;
  code: string;
}

async function readBlocks(postsDir: string): Promise<Block[]> {
  const names = (await readdir(postsDir)).filter((name) => name.endsWith('.md')).sort();
  const blocks: Block[] = [];
  for (const name of names) {
    const text = await readFile(join(postsDir, name), 'utf8');
    for (const [, lang = '', code = ''] of text.matchAll(FENCE)) {
      if (lang in bundledLanguages) blocks.push({ lang, code });
    }
  }
  return blocks;
}

const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return Math.round((used.user + used.system) / 1000);
};

const ENGINES = {
  javascript: () => createJavaScriptRegexEngine({ forgiving: true }),
  oniguruma: () => createOnigurumaEngine(import('shiki/wasm')),
};

const postsDir = process.argv[2];
if (!postsDir) {
  process.stderr.write('usage: shiki-alone.ts <posts dir>\n');
  process.exit(2);
}
const blocks = await readBlocks(postsDir);
const langs = [...new Set(blocks.map((block) => block.lang))];
const runs: Record<string, { oneThemeCpuMs: number; twoThemesCpuMs: number }> = {};
for (const [name, engine] of Object.entries(ENGINES)) {
  const shiki = await createHighlighter({
    themes: [THEMES.light, THEMES.dark],
    langs,
    engine: engine(),
  });
  const one = (block: Block) =>
    shiki.codeToHtml(block.code, { lang: block.lang, theme: THEMES.light });
  const two = (block: Block) =>
    shiki.codeToHtml(block.code, {
      lang: block.lang,
      themes: { light: THEMES.light, dark: THEMES.dark },
      defaultColor: false,
    });
  for (const lang of langs) two(blocks.find((block) => block.lang === lang) as Block);
  let started = process.cpuUsage();
  for (const block of blocks) one(block);
  const oneThemeCpuMs = cpuMs(started);
  started = process.cpuUsage();
  for (const block of blocks) two(block);
  runs[name] = { oneThemeCpuMs, twoThemesCpuMs: cpuMs(started) };
  shiki.dispose();
}
process.stdout.write(
  `${JSON.stringify({ blocks: blocks.length, lines: blocks.reduce((n, b) => n + b.code.split('\n').length, 0), langs, runs })}\n`,
);
