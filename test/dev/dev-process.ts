/**
 * Starts `src/dev/server.ts` as a real child process on a posts directory, and reads its
 * live-reload stream with a real SSE client (undici fetch, streaming the body).
 * Not a test file itself (no `.test.ts`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

const DEV_SERVER = fileURLToPath(new URL('../../src/dev/server.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type LogLine = Record<string, unknown> & { msg?: string; quire?: Record<string, unknown> };

export interface DevProcess {
  url: string;
  child: ChildProcess;
  logLines(): LogLine[];
  /** What the server wrote to stderr so far, line by line (also passed on to the test's). */
  stderrLines(): string[];
}

export async function startDevServer(env: Record<string, string>): Promise<DevProcess> {
  const child = spawn(process.execPath, [DEV_SERVER], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    process.stderr.write(chunk);
  });
  after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const lines: string[] = [];
  let partial = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        const found = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
        if (found) resolve(found);
      }
    });
    child.once('exit', (code) =>
      reject(new Error(`dev server exited (${code}):\n${lines.join('\n')}`)),
    );
  });
  const logLines = () =>
    lines.filter(Boolean).map((line) => {
      try {
        return JSON.parse(line) as LogLine;
      } catch {
        return { msg: line };
      }
    });
  const stderrLines = () => stderr.split('\n').filter(Boolean);
  return { url, child, logLines, stderrLines };
}

export { type EventStream, openEvents } from '../helpers/dev-events.ts';

export async function eventually<T>(check: () => Promise<T>, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
