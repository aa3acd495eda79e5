/**
 * The theme's colours for the social cards (issue #18), taken from its stylesheet's `:root`
 * custom properties, so a card looks like the site and a theme brings its own: there is no second
 * palette. A card is one picture, so it takes the light scheme: the first value of a
 * `light-dark()` pair, or the value outside `@media (prefers-color-scheme: dark)`.
 *
 * Parsed with postcss (the stylesheet) and postcss-value-parser (a value), never by pattern: a
 * comment, a nested rule or a comma inside `rgb()` must not change what is read. Each colour must
 * be one satori paints: parse-css-color, the parser satori itself uses, says so. A `var()` or a
 * `color-mix()` is not one: a card has no cascade to resolve it.
 */
import { readFile } from 'node:fs/promises';
import parseColor from 'parse-css-color';
import postcss, { type Root } from 'postcss';
import valueParser from 'postcss-value-parser';
import { nearest } from '../source/did-you-mean.ts';
import type { ContentProblem } from '../types.ts';

/** What a card paints, by the custom property each comes from. */
export const THEME_PROPERTIES = {
  background: '--bg',
  text: '--text',
  muted: '--muted',
  accent: '--link',
  rule: '--rule',
} as const;

export type ThemeColours = Record<keyof typeof THEME_PROPERTIES, string>;

/** The light value of a custom property: `light-dark(a, b)` → `a`, anything else as it is. */
function lightValue(value: string): string {
  const [first] = valueParser(value.trim()).nodes;
  if (first?.type === 'function' && first.value === 'light-dark') {
    const comma = first.nodes.findIndex((node) => node.type === 'div' && node.value === ',');
    return valueParser.stringify(first.nodes.slice(0, comma < 0 ? undefined : comma)).trim();
  }
  return value.trim();
}

/**
 * The colours of the stylesheet `file` (its text `css`), or the problem that stops the cards:
 * `file:line: message`, at the `:root` rule (or line 1), naming what is missing.
 */
export function themeColours(
  file: string,
  css: string,
): { colours: ThemeColours } | { problem: ContentProblem } {
  let root: Root;
  try {
    root = postcss.parse(css, { from: file });
  } catch (error) {
    const line = (error as { line?: number }).line ?? 1;
    const reason = (error as { reason?: string }).reason ?? String(error);
    return { problem: { file, line, message: `cannot read the theme's colours: ${reason}` } };
  }
  const found = new Map<string, { value: string; line: number }>();
  let line: number | undefined;
  // Top-level `:root` rules only: those inside `@media` are the dark scheme, print, and so on.
  root.each((node) => {
    if (node.type !== 'rule' || node.selector.trim() !== ':root') return;
    line ??= node.source?.start?.line;
    node.each((declaration) => {
      if (declaration.type === 'decl' && declaration.prop.startsWith('--')) {
        const at = declaration.source?.start?.line ?? 1;
        found.set(declaration.prop, { value: lightValue(declaration.value), line: at });
      }
    });
  });
  const missing = Object.values(THEME_PROPERTIES).filter((property) => !found.has(property));
  if (missing.length > 0) {
    const hints = missing.map((property) => {
      const guess = nearest(property, [...found.keys()]);
      return guess ? `${property} (did you mean ${guess}?)` : property;
    });
    const message = `the social cards take the theme's colours from custom properties of its :root rule: missing ${hints.join(', ')}`;
    return { problem: { file, line: line ?? 1, message } };
  }
  const colours: Partial<ThemeColours> = {};
  for (const [name, property] of Object.entries(THEME_PROPERTIES)) {
    const { value, line } = found.get(property) as { value: string; line: number };
    if (parseColor(value) === null) {
      const message = `${property} is "${value}": the social cards need a colour (a hex, rgb(), hsl() or named colour, or a light-dark() pair of them)`;
      return { problem: { file, line, message } };
    }
    colours[name as keyof ThemeColours] = value;
  }
  return { colours: colours as ThemeColours };
}

/** `themeColours` of the stylesheet at `file`, or the problem of reading it. */
export async function readThemeColours(
  file: string,
): Promise<{ colours: ThemeColours } | { problem: ContentProblem }> {
  return readFile(file, 'utf8').then(
    (css) => themeColours(file, css),
    (error: NodeJS.ErrnoException) => ({
      problem: {
        file,
        line: 1,
        message: `cannot read the theme's colours: ${error.code ?? error.message}`,
      },
    }),
  );
}
