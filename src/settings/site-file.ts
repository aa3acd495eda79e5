/**
 * Reads the site file (`quire.yaml`, issue #18) and validates it as strictly as front matter
 * (yaml-data.ts): every problem is `quire.yaml:LINE: message`, an unknown key gets "did you mean".
 */
import { readFileSync } from 'node:fs';
import { validateYaml } from '../content/source/yaml-data.ts';
import type { ContentProblem } from '../content/types.ts';
import { type SiteFile, siteFileSchema } from './site-file-schema.ts';

export type SiteFileResult =
  | {
      ok: true;
      settings: SiteFile;
      /** The file line of the value at `path` (`['defaultCover', 'src']`), for later problems. */
      lineAt: (path: readonly (string | number)[]) => number;
    }
  | { ok: false; problems: ContentProblem[] };

/**
 * The site file at `path` (shown as is in problems); undefined when there is no such file. Throws
 * the file system's error when it cannot be read.
 */
export function readSiteFile(path: string): SiteFileResult | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const result = validateYaml(text.replace(/^\uFEFF/, ''), siteFileSchema, {
    firstLine: 1,
    noun: 'key',
    syntaxError: 'invalid YAML',
    notAMapping: 'the site file must be keys like "title: My blog", one per line',
    nameKeys: true,
  });
  if (!result.ok) {
    return { ok: false, problems: result.problems.map((problem) => ({ file: path, ...problem })) };
  }
  return { ok: true, settings: result.data, lineAt: (path) => result.lineAt(path) };
}
