/** Waiting on a Quire cluster's workers, from its log lines. */
import { open } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LogLine, ServerProcess } from '../../../test/helpers/server-process.ts';

const scanned = new WeakMap<ServerProcess, Map<string, { lines: number; found: LogLine[] }>>();

/**
 * The log lines holding `marker`, parsed. Reads each stdout line once per marker: under load the
 * request lines run to thousands a second, too many to parse again at every poll.
 */
export function linesWith(server: ServerProcess, marker: string): LogLine[] {
  const byMarker = scanned.get(server) ?? new Map<string, { lines: number; found: LogLine[] }>();
  scanned.set(server, byMarker);
  const seen = byMarker.get(marker) ?? { lines: 0, found: [] };
  byMarker.set(marker, seen);
  for (; seen.lines < server.stdoutLines.length; seen.lines++) {
    const line = server.stdoutLines[seen.lines]!;
    if (line.includes(marker)) seen.found.push(JSON.parse(line) as LogLine);
  }
  return [...seen.found];
}

/** The pids of the processes that logged that they listen, in order (restarts included). */
export const listeningPids = (server: ServerProcess): number[] =>
  linesWith(server, '"msg":"Server listening')
    .map((line) => line.pid)
    .filter((pid) => typeof pid === 'number');

/** Waits until `count` processes listen; resolves with the base URL. */
export async function workersListening(
  server: ServerProcess,
  count: number,
  ms = 30_000,
): Promise<string> {
  const base = await Promise.race([
    server.listening,
    server.exited.then((code) => {
      throw new Error(`Quire exited (${code}) before listening: ${server.stderr()}`);
    }),
  ]);
  const until = Date.now() + ms;
  while (listeningPids(server).length < count) {
    if (Date.now() > until) throw new Error(`${count} workers not listening within ${ms} ms`);
    await sleep(25);
  }
  return base;
}

/**
 * Waits for a process not in `known` to log that it listens (a replacement worker); resolves
 * with its pid, or rejects after `ms`.
 */
export async function newListener(
  server: ServerProcess,
  known: ReadonlySet<number>,
  ms: number,
): Promise<number> {
  const until = Date.now() + ms;
  for (;;) {
    const fresh = listeningPids(server).find((pid) => !known.has(pid));
    if (fresh !== undefined) return fresh;
    if (Date.now() > until) throw new Error(`no new worker listening within ${ms} ms`);
    await sleep(10);
  }
}

/**
 * How many sockets listen on `port`, from /proc/net/tcp and tcp6: with SO_REUSEPORT, one per
 * cluster worker. A killed worker's socket leaves them some milliseconds after the signal (the
 * kernel closes a dying process's files after unmapping its memory); until then the kernel
 * still hands it new connections, reset when it closes. The kernel lists listening sockets
 * first, so only the head of each table is read: the rest is every connection of the load.
 */
export async function listenersOn(port: number): Promise<number> {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let count = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (await head(table)).split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state !== '0A') break;
      if (local?.endsWith(hexPort)) count++;
    }
  }
  return count;
}

async function head(path: string, bytes = 64 * 1024): Promise<string> {
  const file = await open(path);
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(bytes), 0, bytes, 0);
    return buffer.toString('latin1', 0, bytesRead);
  } finally {
    await file.close();
  }
}

/** Resolves with `performance.now()` once fewer than `before` sockets listen on `port`. */
export async function listenerGone(port: number, before: number): Promise<number> {
  while ((await listenersOn(port)) >= before) await sleep(1);
  return performance.now();
}

/** Whether a process with `pid` exists (a zombie counts until its parent reaps it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** From the primary's "cluster started" to the last first worker's "listening", by their log times. */
export function workersStartMs(server: ServerProcess): number {
  const lines = server.logLines();
  const time = (line: LogLine | undefined) => Date.parse(String(line?.time));
  const started = time(lines.find((line) => line.msg === 'cluster started'));
  const listening = lines.filter((line) => line.msg?.startsWith('Server listening')).map(time);
  return Math.max(...listening) - started;
}

/** The target for a replacement: a worker listens again within 2 s of a death. */
const REPLACED_WITHIN_MS = 2000;

/**
 * The bound a replacement is held to: 2 s where a worker starts well under that, else twice the
 * first workers' start in the same run (`firstWorkersStartMs`). A busy machine does not miss it;
 * a replacement held back (a backoff, a busy primary) still does.
 */
export const replacementBoundMs = (firstWorkersStartMs: number): number =>
  Math.max(REPLACED_WITHIN_MS, 2 * firstWorkersStartMs);
