/**
 * `npm run dev` stopped as a supervisor stops it (docker stop, a process manager, `kill`): one
 * SIGTERM to the npm process, nothing to the rest of its process group. Every process npm
 * started (the shell of the script, if any, `node --watch`, the dev server) must be gone within
 * a few seconds, none left running without a parent (issue #17 §7). The process tree is read
 * from /proc by pid (and start time, so a reused pid is not mistaken for a survivor).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/posts-dir.ts';
import { eventually } from './dev-process.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const REPO_POSTS = fileURLToPath(new URL('../../posts/', import.meta.url));

interface Proc {
  pid: number;
  ppid: number;
  /** Clock ticks since boot: with the pid, names one process even if the pid is reused. */
  started: string;
  state: string;
  command: string;
}

/** One process from /proc, or undefined if there is none with that pid. */
function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return {
      pid,
      state: fields[0] as string,
      ppid: Number(fields[1]),
      started: fields[19] as string,
      command,
    };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** Every process below `pid`. */
function descendants(pid: number): Proc[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => readProc(Number(name)) ?? []);
  const found: Proc[] = [];
  let parents = new Set([pid]);
  while (parents.size > 0) {
    const children = all.filter((proc) => parents.has(proc.ppid));
    found.push(...children);
    parents = new Set(children.map((proc) => proc.pid));
  }
  return found;
}

/** Still running: the same process (pid and start time), and not a zombie (it exited). */
const alive = (proc: Proc) => {
  const now = readProc(proc.pid);
  return now !== undefined && now.started === proc.started && now.state !== 'Z';
};

describe('npm run dev', () => {
  it('stops every process it started on one SIGTERM to npm', async (t) => {
    const npm = spawn('npm', ['run', 'dev'], {
      cwd: ROOT,
      // Its own process group, as under a supervisor: no signal reaches the others by accident.
      detached: true,
      env: {
        ...process.env,
        POSTS_DIR: REPO_POSTS,
        CACHE_DIR: await tempDir('quire-dev-stop-cache-'),
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = npm.pid as number;
    let tree: Proc[] = [];
    t.after(() => {
      // Whatever survived a failed test: the group npm leads holds only what it started.
      for (const proc of tree) if (alive(proc)) process.kill(proc.pid, 'SIGKILL');
      if (npm.exitCode === null && npm.signalCode === null) process.kill(-pid, 'SIGKILL');
    });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      npm.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        output += chunk;
        if (output.includes('Server listening at')) resolve();
      });
      npm.once('exit', (code) => reject(new Error(`npm run dev exited (${code}):\n${output}`)));
    });
    const below = descendants(pid);
    assert.ok(
      below.some((proc) => proc.command.includes('src/dev/server.ts')),
      `the dev server is below npm: ${JSON.stringify(below)}`,
    );
    tree = [readProc(pid) as Proc, ...below];

    process.kill(pid, 'SIGTERM');
    await eventually(async () => {
      const left = tree.filter(alive);
      assert.deepEqual(left, [], 'still running after npm got SIGTERM');
    }, 5_000);
  });
});
