/**
 * The JSON Schema of front matter for editors, generated from the one zod schema so the two
 * never disagree. The input side: fields with defaults (`tags`, `draft`, `aliases`) are optional.
 * What JSON Schema cannot say (a date that is not a real day) is still caught by `npm run check`.
 */
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { z } from 'zod';
import { frontMatterSchema } from '../content/source/front-matter-schema.ts';

export const SCHEMA_PATH = fileURLToPath(
  new URL('../../schemas/front-matter.schema.json', import.meta.url),
);

export function frontMatterJsonSchema(): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(frontMatterSchema, { io: 'input' });
  return {
    $schema,
    title: 'Quire post front matter',
    description:
      'The YAML between the two "---" lines at the top of a post. See posts/front-matter-reference.md.',
    ...rest,
  };
}

/** The file's text, formatted as `prettier --check` (part of `npm run lint`) expects. */
export async function schemaFileText(): Promise<string> {
  const options = { ...(await resolveConfig(SCHEMA_PATH)), filepath: SCHEMA_PATH };
  return format(JSON.stringify(frontMatterJsonSchema()), options);
}
