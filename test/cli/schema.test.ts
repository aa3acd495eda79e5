import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseDocument } from 'yaml';
import { JSON_SCHEMAS, type JsonSchemaFile, schemaFileText } from '../../src/cli/json-schemas.ts';

const committed = async (file: JsonSchemaFile) => readFile(file.path, 'utf8');
// `uri` is known but not checked here: the schemas say which keys are URLs for editors, and
// Quire checks the URLs itself (test/settings/site-file.test.ts).
const validator = async (file: JsonSchemaFile) =>
  new Ajv2020({ strict: true, formats: { uri: true } }).compile(JSON.parse(await committed(file)));

const validate = await validator(JSON_SCHEMAS.frontMatter);
const validatePage = await validator(JSON_SCHEMAS.pageFrontMatter);
const validateSiteFile = await validator(JSON_SCHEMAS.siteFile);

/** The front matter of a sample post or page, as the data an editor would validate. */
async function sampleFrontMatter(path: string): Promise<unknown> {
  const source = await readFile(new URL(`../../${path}`, import.meta.url), 'utf8');
  const yaml = source.split(/^---$/m)[1] ?? '';
  return parseDocument(yaml).toJS();
}

/** Every `properties` object of a schema, nested ones included, by where it is. */
function propertiesOf(
  schema: unknown,
  at = '',
): [string, Record<string, { description?: string }>][] {
  if (schema === null || typeof schema !== 'object') return [];
  const found: [string, Record<string, { description?: string }>][] = [];
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'properties') found.push([at, value as Record<string, { description?: string }>]);
    found.push(...propertiesOf(value, `${at}/${key}`));
  }
  return found;
}

describe('the JSON Schemas for editors', () => {
  it('are committed exactly as `npm run schema` generates them (run it after changing a zod schema)', async () => {
    for (const file of Object.values(JSON_SCHEMAS))
      assert.equal(await committed(file), await schemaFileText(file), file.path);
  });

  it('accept the front matter of the sample posts and the About page', async () => {
    for (const name of ['writing-a-post.md', 'front-matter-reference.md']) {
      const data = await sampleFrontMatter(`posts/${name}`);
      assert.equal(validate(data), true, `${name}: ${JSON.stringify(validate.errors)}`);
    }
    const about = await sampleFrontMatter('pages/about.md');
    assert.equal(validatePage(about), true, JSON.stringify(validatePage.errors));
  });

  it('describe every key, nested ones too, so an editor shows what it means while typing it', async () => {
    for (const file of Object.values(JSON_SCHEMAS)) {
      const undescribed = propertiesOf(JSON.parse(await committed(file))).flatMap(
        ([at, properties]) =>
          Object.entries(properties)
            .filter(([, field]) => !field.description?.trim())
            .map(([name]) => `${at}/${name}`),
      );
      assert.deepEqual(undescribed, [], file.path);
    }
  });

  it('keep defaults optional and reject an unknown key, a bad date and a bad slug', () => {
    assert.equal(validate({ title: 'T', date: '2026-11-23' }), true);
    assert.equal(validate({ title: 'T', date: '2026-11-23', tag: ['x'] }), false);
    assert.deepEqual(validate.errors?.[0]?.params, { additionalProperty: 'tag' });
    assert.equal(validate({ title: 'T', date: '23/11/2026' }), false);
    assert.equal(validate({ title: 'T', date: '2026-11-23', slug: 'Not A Slug' }), false);
    assert.equal(validate({ date: '2026-11-23' }), false);
    assert.equal(validatePage({ title: 'About' }), true);
    assert.equal(validatePage({ title: 'About', date: '2026-11-23' }), false, 'pages have no date');
  });

  it('accept the sample quire.yaml and reject a wrong one', async () => {
    const text = await readFile(new URL('../../quire.yaml', import.meta.url), 'utf8');
    assert.match(text, /^# yaml-language-server: \$schema=\.\/schemas\/quire\.schema\.json\n/);
    const sample = parseDocument(text).toJS();
    assert.equal(validateSiteFile(sample), true, JSON.stringify(validateSiteFile.errors));
    for (const wrong of [
      { titel: 'Notes' },
      { pageSize: 'ten' },
      { pageSize: 0 },
      { authors: { Alice: { name: 'Alice' } } },
      { authors: { alice: { nmae: 'Alice' } } },
      { menu: [{ label: 'About' }] },
      { social: { mastodon: 'https://mastodon.example/@me' } },
      { images: { widths: [] } },
      { images: { widths: [480, 960, 480] } },
    ]) {
      assert.equal(validateSiteFile(wrong), false, JSON.stringify(wrong));
    }
  });
});
