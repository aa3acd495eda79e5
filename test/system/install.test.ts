/**
 * `npm ci` on a machine whose own Node is older than the one Quire pins (issue #19): the install
 * prints nothing that reads like a failure. A dry run from npm's cache, in a copy of the manifest,
 * the lockfile and `.npmrc`, on the PATH a person has: npm on the machine's Node, not on the
 * `node_modules/.bin` that `npm test` puts first.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/posts-dir.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

it('npm ci on the machine’s Node prints no warning, EBADENGINE or other', async () => {
  const dir = await tempDir();
  for (const file of ['package.json', 'package-lock.json', '.npmrc'])
    await copyFile(join(ROOT, file), join(dir, file));
  const path = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !entry.endsWith(join('node_modules', '.bin')))
    .join(delimiter);
  const env = { PATH: path, HOME: process.env.HOME ?? '' };
  const machineNode = spawnSync('node', ['--version'], { env, encoding: 'utf8' }).stdout.trim();
  const install = spawnSync('npm', ['ci', '--dry-run', '--prefer-offline', '--ignore-scripts'], {
    cwd: dir,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const output = `${install.stdout}${install.stderr}`;
  assert.equal(install.status, 0, output);
  assert.doesNotMatch(output, /EBADENGINE|npm warn|npm error|ERR!/i, `npm on Node ${machineNode}`);
  assert.match(install.stdout, /^added \d+ packages/m);
});
