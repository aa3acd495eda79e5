/**
 * Starts `src/dev/server.ts` as a real child process on a posts directory, and reads its
 * live-reload stream with a real SSE client (undici fetch, streaming the body).
 * Not a test file itself (no `.test.ts`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fetch } from 'undici';

const DEV_SERVER = fileURLToPath(new URL('../../src/dev/server.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type LogLine = Record<string, unknown> & { msg?: string; quire?: Record<string, unknown> };

export interface DevProcess {
  url: string;
  child: ChildProcess;
  logLines(): LogLine[];
}

export async function startDevServer(env: Record<string, string>): Promise<DevProcess> {
  const child = spawn(process.execPath, [DEV_SERVER], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', METRICS_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
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
  return { url, child, logLines };
}

export interface EventStream {
  /** Resolves with the `paths` of the next event matching `match`, or rejects after `ms`. */
  next(match: (paths: string[]) => boolean, ms?: number): Promise<string[]>;
  /** Forgets the events received so far: the next `next` waits for a new one. */
  clear(): void;
  close(): Promise<void>;
}

export async function openEvents(url: string): Promise<EventStream> {
  const response = await fetch(`${url}/__dev/events`);
  if (response.headers.get('content-type') !== 'text/event-stream' || !response.body)
    throw new Error(`not an event stream: ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const events: string[][] = [];
  let buffer = '';
  let waiters: (() => void)[] = [];
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: '', done: true }));
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((line) => line.startsWith('data: '));
        if (data) events.push((JSON.parse(data.slice(6)) as { paths: string[] }).paths);
      }
      for (const wake of waiters.splice(0)) wake();
    }
  })();
  return {
    async next(match, ms = 10_000) {
      const until = Date.now() + ms;
      for (;;) {
        const index = events.findIndex(match);
        if (index !== -1) return events.splice(0, index + 1).at(-1) as string[];
        const left = until - Date.now();
        if (left <= 0)
          throw new Error(`no matching event within ${ms} ms (got ${JSON.stringify(events)})`);
        let wake = () => {};
        await new Promise<void>((resolve) => {
          wake = resolve;
          waiters.push(resolve);
          setTimeout(resolve, left).unref();
        });
        waiters = waiters.filter((waiter) => waiter !== wake);
      }
    },
    clear: () => void events.splice(0),
    close: () => reader.cancel(),
  };
}

/** Polls until `check` passes (file watching is asynchronous), failing after `ms`. */
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
