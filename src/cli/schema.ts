/**
 * `npm run schema`: writes `schemas/front-matter.schema.json` from the zod schema. Run it after
 * changing `src/content/front-matter-schema.ts`; a test fails while the committed file is stale.
 */
import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { SCHEMA_PATH, schemaFileText } from './front-matter-json-schema.ts';

await writeFile(SCHEMA_PATH, await schemaFileText());
process.stdout.write(`${relative(process.cwd(), SCHEMA_PATH)}\n`);
