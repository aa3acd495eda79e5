/**
 * The JSON Schemas for editors, generated from the one zod schema of each file so the two never
 * disagree: a post's front matter, a standalone page's, and the site file (issue #18). The input
 * side: keys with defaults (`tags`, `draft`, `aliases`) are optional. What JSON Schema cannot say
 * (a date that is not a real day, a menu link that is no URL) is still caught by `npm run check`.
 */
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { z } from 'zod';
import { frontMatterSchema } from '../content/source/front-matter-schema.ts';
import { pageFrontMatterSchema } from '../content/source/page-front-matter-schema.ts';
import { siteFileSchema } from '../settings/site-file-schema.ts';

export interface JsonSchemaFile {
  path: string;
  schema: z.ZodType;
  title: string;
  description: string;
}

const at = (name: string) => fileURLToPath(new URL(`../../schemas/${name}`, import.meta.url));

export const JSON_SCHEMAS = {
  frontMatter: {
    path: at('front-matter.schema.json'),
    schema: frontMatterSchema,
    title: 'Quire post front matter',
    description:
      'The YAML between the two "---" lines at the top of a post. See posts/front-matter-reference.md.',
  },
  pageFrontMatter: {
    path: at('page-front-matter.schema.json'),
    schema: pageFrontMatterSchema,
    title: 'Quire page front matter',
    description:
      'The YAML between the two "---" lines at the top of a standalone page (pages/*.md). See posts/the-site-file-pages-and-menus.md.',
  },
  siteFile: {
    path: at('quire.schema.json'),
    schema: siteFileSchema,
    title: 'Quire site file',
    description:
      'quire.yaml: the blog’s settings, authors, menu and social links. Environment variables win over it. See posts/the-site-file-pages-and-menus.md.',
  },
} as const satisfies Record<string, JsonSchemaFile>;

export function jsonSchema(file: JsonSchemaFile): Record<string, unknown> {
  const { $schema, ...rest } = z.toJSONSchema(file.schema, { io: 'input' });
  return { $schema, title: file.title, description: file.description, ...rest };
}

/** The file's text, formatted as `prettier --check` (part of `npm run lint`) expects. */
export async function schemaFileText(file: JsonSchemaFile): Promise<string> {
  const options = { ...(await resolveConfig(file.path)), filepath: file.path };
  return format(JSON.stringify(jsonSchema(file)), options);
}
