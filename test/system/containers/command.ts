/** Runs a program to completion (podman, buildah, debootstrap, tar) and keeps what it printed. */
import { spawn } from 'node:child_process';

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Killed (SIGKILL) after this long; builds that run `npm ci` and the tests take minutes. */
  timeoutMs?: number;
  /** Also stream the output here, e.g. `process.stderr` for a long build someone watches. */
  echo?: NodeJS.WritableStream;
}

export function run(program: string, args: readonly string[], options: RunOptions = {}) {
  return new Promise<Finished>((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      options.echo?.write(chunk);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      options.echo?.write(chunk);
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `run`, throwing with the command and the end of its output unless it exits 0. */
export async function mustRun(
  program: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<Finished> {
  const result = await run(program, args, options);
  if (result.code !== 0) {
    const tail = `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-40).join('\n');
    throw new Error(`${program} ${args.join(' ')} exited ${result.code}:\n${tail}`);
  }
  return result;
}
