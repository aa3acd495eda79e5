import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import {
  ADD_SNIPPET_PATH,
  addSnippet,
  HIDE_SNIPPET_PATH,
  hideSnippet,
} from '../../src/cli/nginx-security-headers.ts';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { makeSite } from '../helpers/site.ts';

describe("nginx's copy of the app's security headers", () => {
  it('is committed exactly as `npm run nginx:headers` generates it (run it after changing the headers)', async () => {
    assert.equal(await readFile(ADD_SNIPPET_PATH, 'utf8'), addSnippet());
    assert.equal(await readFile(HIDE_SNIPPET_PATH, 'utf8'), hideSnippet());
  });

  it('adds and hides exactly the headers the app sends itself with SECURITY_HEADERS=app', async () => {
    const app = buildApp(loadConfig({}, []), makeSite());
    const response = await app.inject('/healthz');
    await app.close();
    const added = [...addSnippet().matchAll(/^add_header (\S+) "([^"]*)" always;$/gm)];
    assert.ok(added.length > 5, 'the snippet adds the headers');
    for (const [, name, value] of added) assert.equal(response.headers[name!], value, name);
    const hidden = [...hideSnippet().matchAll(/^proxy_hide_header (\S+);$/gm)].map((m) => m[1]);
    assert.deepEqual(
      hidden,
      added.map((m) => m[1]),
    );
  });

  it('refuses a value nginx would not take literally', () => {
    assert.throws(
      () => addSnippet({ 'x-test': 'a $variable' }),
      /security header x-test cannot be written to nginx as is: a \$variable/,
    );
  });
});
