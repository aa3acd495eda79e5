import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { childProcessEnv, childProcessEnvChanges } from '../src/child-process-env.ts';

describe('the environment of the processes Quire starts (issue #15)', () => {
  it('leaves out what node --watch and the test runner set for this process alone', () => {
    const env = {
      PATH: '/usr/bin',
      POSTS_DIR: './posts',
      WATCH_REPORT_DEPENDENCIES: '1',
      NODE_TEST_CONTEXT: 'child-v8',
      UNSET: undefined,
    };
    assert.deepEqual(childProcessEnv(env), { PATH: '/usr/bin', POSTS_DIR: './posts' });
    assert.deepEqual(childProcessEnvChanges(env), {
      WATCH_REPORT_DEPENDENCIES: undefined,
      NODE_TEST_CONTEXT: undefined,
    });
  });

  it('keeps NODE_OPTIONS but its debugger and watch flags, in every spelling', () => {
    const options = (value: string) => childProcessEnv({ NODE_OPTIONS: value }).NODE_OPTIONS;
    assert.equal(
      options('--max-old-space-size=512 --inspect=0.0.0.0:9229 --import=./trace.js'),
      '--max-old-space-size=512 --import=./trace.js',
    );
    assert.equal(
      options(
        '--inspect-brk --inspect-port 9230 --watch --watch-path src --watch-preserve-output -r x',
      ),
      '-r x',
    );
    assert.deepEqual(childProcessEnv({ NODE_OPTIONS: '--inspect' }), {});
    assert.deepEqual(childProcessEnvChanges({ NODE_OPTIONS: '--inspect --no-warnings' }), {
      NODE_OPTIONS: '--no-warnings',
    });
  });

  it('gives a NODE_OPTIONS that Node itself reads as the kept options', () => {
    const dir = mkdtempSync(join(tmpdir(), 'quire-node-options-'));
    try {
      writeFileSync(join(dir, 'a b.cjs'), 'globalThis.preloaded = true;\n');
      const options = childProcessEnv({
        NODE_OPTIONS: `--inspect=127.0.0.1:0 --title=quire-kept --watch-path ${dir} --require "${join(dir, 'a b.cjs')}"`,
      }).NODE_OPTIONS;
      const child = spawnSync(
        process.execPath,
        ['-p', "[globalThis.preloaded, process.title, require('node:inspector').url()].join()"],
        { env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: options ?? '' }, encoding: 'utf8' },
      );
      assert.equal(child.stderr, '');
      assert.equal(child.stdout.trim(), 'true,quire-kept,'); // and no inspector
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
