/**
 * `npm run schema`: writes the JSON Schemas in `schemas/` from the zod schemas (json-schemas.ts).
 * Run it after changing front matter or the site file's keys; a test fails while a committed file
 * is stale.
 */
import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { JSON_SCHEMAS, schemaFileText } from './json-schemas.ts';

for (const file of Object.values(JSON_SCHEMAS)) {
  await writeFile(file.path, await schemaFileText(file));
  process.stdout.write(`${relative(process.cwd(), file.path)}\n`);
}
