/**
 * .ci/setup/containers.sh configures podman on a CI machine the way these machines need it
 * (runtime runc, default ulimits) and is idempotent. Run against a temporary file through
 * CONTAINERS_CONF, podman's own variable for the file's path; the machine's file is checked too.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../helpers/posts-dir.ts';
import { requireTools } from '../../helpers/require-tool.ts';
import { mustRun, run } from './command.ts';
import { PROJECT_ROOT } from './images.ts';

const SCRIPT = join(PROJECT_ROOT, '.ci/setup/containers.sh');
const tools = requireTools(['podman', 'bash'], 'apt-get install podman');

describe('.ci/setup/containers.sh', { skip: tools.skip }, () => {
  it('writes runtime runc and the default ulimits, keeps an earlier file, and changes nothing when run again', async () => {
    const conf = join(await tempDir(), 'containers.conf');
    await writeFile(conf, '[engine]\nruntime = "crun"\n');
    const first = await mustRun('bash', [SCRIPT], { env: { CONTAINERS_CONF: conf } });
    assert.match(first.stdout, /wrote/);
    const written = await readFile(conf, 'utf8');
    assert.match(written, /^\[engine\]\nruntime = "runc"$/m);
    assert.match(written, /^default_ulimits = \["nofile=4096:4096", "nproc=4096:4096"\]$/m);
    assert.equal(await readFile(`${conf}.before-quire`, 'utf8'), '[engine]\nruntime = "crun"\n');

    const second = await mustRun('bash', [SCRIPT], { env: { CONTAINERS_CONF: conf } });
    assert.match(second.stdout, /already set/);
    assert.equal(await readFile(conf, 'utf8'), written);

    // podman reads the file: the runtime it reports is runc.
    const info = await run('podman', ['info', '--format', '{{.Host.OCIRuntime.Name}}'], {
      env: { CONTAINERS_CONF: conf },
    });
    if (info.code === 0 || process.env.CI === 'true')
      assert.equal(info.stdout.trim(), 'runc', info.stderr);
  });
});
