import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseDocument } from 'yaml';
import { SCHEMA_PATH, schemaFileText } from '../../src/cli/front-matter-json-schema.ts';

const committed = await readFile(SCHEMA_PATH, 'utf8');
const validate = new Ajv2020({ strict: true }).compile(JSON.parse(committed));

/** The front matter of a sample post, as the data an editor would validate. */
async function sampleFrontMatter(name: string): Promise<unknown> {
  const source = await readFile(new URL(`../../posts/${name}`, import.meta.url), 'utf8');
  const yaml = source.split(/^---$/m)[1] ?? '';
  return parseDocument(yaml).toJS();
}

describe('the front matter JSON Schema', () => {
  it('is committed exactly as `npm run schema` generates it (run it after changing the zod schema)', async () => {
    assert.equal(committed, await schemaFileText());
  });

  it('accepts the front matter of the sample posts', async () => {
    for (const name of ['writing-a-post.md', 'front-matter-reference.md']) {
      const data = await sampleFrontMatter(name);
      assert.equal(validate(data), true, `${name}: ${JSON.stringify(validate.errors)}`);
    }
  });

  it('describes every field, so an editor shows what it means while typing it', () => {
    const { properties } = JSON.parse(committed) as {
      properties: Record<string, { description?: string }>;
    };
    const undescribed = Object.entries(properties)
      .filter(([, field]) => !field.description?.trim())
      .map(([name]) => name);
    assert.deepEqual(undescribed, []);
  });

  it('keeps defaults optional and rejects an unknown key, a bad date and a bad slug', () => {
    assert.equal(validate({ title: 'T', date: '2026-11-23' }), true);
    assert.equal(validate({ title: 'T', date: '2026-11-23', tag: ['x'] }), false);
    assert.deepEqual(validate.errors?.[0]?.params, { additionalProperty: 'tag' });
    assert.equal(validate({ title: 'T', date: '23/11/2026' }), false);
    assert.equal(validate({ title: 'T', date: '2026-11-23', slug: 'Not A Slug' }), false);
    assert.equal(validate({ date: '2026-11-23' }), false);
  });
});
