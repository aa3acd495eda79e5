/**
 * The social cards' font (issue #18): Inter from @fontsource/inter (SIL Open Font License), in
 * WOFF, which satori reads (not WOFF2). Never fetched at run time. The package is a development
 * dependency: `npm run build` copies just these files, the licence included, into `dist/fonts/`
 * (src/cli/copy-fonts.ts), so the production image carries two font files, not the package.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CARD_FONTS = [
  { file: 'inter-latin-400-normal.woff', weight: 400 },
  { file: 'inter-latin-700-normal.woff', weight: 700 },
] as const;
export const FONT_FAMILY = 'Inter';
/** The font's licence, which travels with it. */
export const FONT_LICENSE = 'LICENSE';

/** Every file the cards' font needs, the licence included: what the build copies. */
export const FONT_FILES = [...CARD_FONTS.map((font) => font.file), FONT_LICENSE];

/**
 * Where one of `FONT_FILES` is: the build's copy beside the compiled code (`dist/fonts/`), else
 * the package (running from the sources: `npm run dev`, tests).
 */
export function fontPath(name: string): string {
  const copy = fileURLToPath(new URL(`../../fonts/${name}`, import.meta.url));
  if (existsSync(copy)) return copy;
  const inPackage = name === FONT_LICENSE ? name : `files/${name}`;
  return fileURLToPath(import.meta.resolve(`@fontsource/inter/${inPackage}`));
}
