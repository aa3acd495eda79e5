import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const cliPath = (name: string) =>
  fileURLToPath(new URL(`../../src/cli/${name}`, import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a CLI as `npm run` would: its own process, in `cwd`, with `POSTS_DIR` only if given. */
export function runCli(
  script: string,
  args: readonly string[],
  { cwd, env = {} }: { cwd: string; env?: Record<string, string> },
): Promise<CliResult> {
  const { POSTS_DIR: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [cliPath(script), ...args], {
    cwd,
    env: { ...inherited, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
