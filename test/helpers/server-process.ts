/**
 * Starts `src/server.ts` as a real child process on the pinned Node, and
 * collects what it writes, for tests of the process as a whole.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { after } from 'node:test';

export type LogLine = Record<string, unknown> & {
  msg?: string;
  level?: string;
  pid?: number;
  quire?: Record<string, unknown>;
};
import { fileURLToPath } from 'node:url';

const SERVER = fileURLToPath(new URL('../../src/server.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  /** Resolves with the first stdout line (parsed) that matches, or rejects after `ms`. */
  waitForLine: (match: (line: LogLine) => boolean, ms?: number) => Promise<LogLine>;
  /** Every stdout line so far, parsed. */
  logLines: () => LogLine[];
  child: ChildProcess;
  stdoutLines: string[];
  stderr: () => string;
  /** Resolves with the exit code (or the signal name) when the process ends. */
  exited: Promise<number | string>;
  /** Resolves with the base URL once the server logs that it listens. */
  listening: Promise<string>;
}

/** A port that was free a moment ago (for tests that must know the port up front). */
export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export function startServer(env: Record<string, string>, args: string[] = []): ServerProcess {
  const server = spawnServer(env, args);
  after(() => stopNow(server));
  return server;
}

/**
 * `startServer` for code outside node:test (the soak cases, `npm run soak`): the caller stops it
 * (`stopNow`), as node:test's `after()` would print a test report there. `wrapper` is a command
 * that ends by exec-ing its arguments (e.g. `unshare` with a mount), so the pid stays Quire's.
 */
export function spawnServer(
  env: Record<string, string>,
  args: string[] = [],
  wrapper: string[] = [],
): ServerProcess {
  const [command = process.execPath, ...prefix] = [...wrapper, process.execPath];
  const child = spawn(command, [...prefix, SERVER, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return watchServer(child);
}

/** SIGKILL unless it has exited; a cluster's workers exit by themselves when their primary is gone. */
export function stopNow(server: ServerProcess): void {
  const { child } = server;
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/**
 * `npm run <script>` in the repository, as the README says to start Quire: npm (from the PATH)
 * runs the script on the pinned Node, through a shell. It gets a process group of its own, all
 * killed after the test file (npm does not always pass a signal on to what it started).
 */
export function startNpmScript(script: string, env: Record<string, string>): ServerProcess {
  const child = spawn('npm', ['run', '--silent', script], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      HOST: '127.0.0.1',
      PORT: '0',
      METRICS_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  after(() => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // the group is gone already
    }
  });
  return watchServer(child);
}

function watchServer(child: ChildProcess): ServerProcess {
  const stdoutLines: string[] = [];
  let stderr = '';
  let partial = '';
  let onListening: (url: string) => void = () => {};
  const listening = new Promise<string>((resolve) => {
    onListening = resolve;
  });
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      stdoutLines.push(line);
      const url = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line)?.[1];
      if (url) onListening(url);
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const parse = (line: string): LogLine => {
    try {
      return JSON.parse(line) as LogLine;
    } catch {
      return { msg: line };
    }
  };
  const logLines = () => stdoutLines.filter(Boolean).map(parse);
  const waitForLine = async (match: (line: LogLine) => boolean, ms = 20_000): Promise<LogLine> => {
    const until = Date.now() + ms;
    for (;;) {
      const found = logLines().find(match);
      if (found) return found;
      if (Date.now() > until)
        throw new Error(`no matching log line within ${ms} ms:\n${stdoutLines.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return { child, stdoutLines, stderr: () => stderr, exited, listening, waitForLine, logLines };
}

/** Waits for the process to end, failing the test if it takes longer than `ms`. */
export async function exitWithin(server: ServerProcess, ms: number): Promise<number | string> {
  const timeout = new Promise<never>((_, reject) => {
    setTimeout(() => reject(new Error(`server still running after ${ms} ms`)), ms).unref();
  });
  return Promise.race([server.exited, timeout]);
}
