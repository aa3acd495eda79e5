/**
 * `npm run build`'s last step: copies the social cards' font files and their licence into
 * `dist/fonts/` (content/cards/fonts.ts), where the compiled code finds them, so the production
 * image needs no font package (issue #18).
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FONT_FILES, fontPath } from '../content/cards/fonts.ts';

const target = process.argv[2] ?? 'dist/fonts';
await mkdir(target, { recursive: true });
await Promise.all(FONT_FILES.map((name) => copyFile(fontPath(name), join(target, name))));
