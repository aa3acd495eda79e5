/**
 * Package versions in the fingerprints (src/content/cache/fingerprint.ts): the render cache and
 * its manifest must not outlive an upgrade of a library that shapes the output or validates posts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hashPackageVersions } from '../../src/content/cache/fingerprint.ts';
import { tempDir } from '../helpers/posts-dir.ts';

const root = await tempDir();

/** A project at `dir` with `yaml` at this version and `zod` (with a nested `yaml`) beside it. */
async function project(dir: string, yamlVersion: string): Promise<string> {
  const packages: Record<string, string> = {
    'node_modules/yaml': yamlVersion,
    'node_modules/zod': '4.0.0',
    'node_modules/zod/node_modules/yaml': '1.0.0',
  };
  for (const [path, version] of Object.entries(packages)) {
    await mkdir(join(dir, path), { recursive: true });
    await writeFile(join(dir, path, 'package.json'), JSON.stringify({ version }));
  }
  const src = join(dir, 'src');
  await mkdir(src, { recursive: true });
  return src;
}

const fingerprint = (from: string, packages: ReadonlyArray<readonly [string, string?]>) => {
  const hash = createHash('sha256');
  hashPackageVersions(hash, packages, from);
  return hash.digest('hex');
};

describe('hashPackageVersions', () => {
  it('changes when an installed version changes, found from the nearest node_modules', async () => {
    const a = await project(join(root, 'a'), '2.8.0');
    const b = await project(join(root, 'b'), '2.9.0');
    const c = await project(join(root, 'c'), '2.8.0');
    const packages = [['yaml'], ['zod']] as const;
    assert.notEqual(fingerprint(a, packages), fingerprint(b, packages));
    assert.equal(fingerprint(a, packages), fingerprint(c, packages));
  });

  it("finds a dependency's own copy under its dependent", async () => {
    const a = await project(join(root, 'd'), '2.8.0');
    const top = fingerprint(a, [['yaml']]);
    const nested = fingerprint(a, [['zod'], ['yaml', 'zod']]);
    const expected = createHash('sha256').update('zod@4.0.0\nyaml@1.0.0\n').digest('hex');
    assert.equal(nested, expected);
    assert.notEqual(top, createHash('sha256').update('yaml@1.0.0\n').digest('hex'));
  });

  it('names a package that is not installed', async () => {
    const a = await project(join(root, 'e'), '2.8.0');
    assert.throws(() => fingerprint(a, [['no-such-package']]), /no-such-package/);
  });
});
