/**
 * The sample blog rendered once per test file, its images' variants included (issue #18), as the
 * image build does: each start gets a copy, so it reads the index and is ready instead of encoding
 * the images again, and a test's waits time a start, not AVIF encoding on a busy machine.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../cli/run.ts';
import { tempDir } from './posts-dir.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let rendered: Promise<string> | undefined;

/** Kept until the test file's process exits: every test of the file copies it. */
async function renderSample(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'quire-sample-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const render = await runCli('render.ts', [], {
    cwd: ROOT,
    env: { POSTS_DIR: 'posts', CACHE_DIR: dir },
  });
  assert.equal(render.code, 0, render.stderr);
  return dir;
}

/** A fresh copy of the sample blog's render cache (for `CACHE_DIR`, with `POSTS_DIR=posts`). */
export async function renderedSampleCache(): Promise<string> {
  rendered ??= renderSample();
  const dir = await tempDir();
  await cp(await rendered, dir, { recursive: true });
  return dir;
}
