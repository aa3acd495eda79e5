/**
 * One run of the SIGTERM-under-load cases (issue #16): a plain client opening a new connection
 * per request while the server gets SIGTERM. Free of node:test: the shutdown tests and the
 * soak's sigterm-primary case (issue #20) run the same runs.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  connectionPerRequest,
  type Outcomes,
  type Target,
} from '../../helpers/connection-per-request.ts';
import { exitWithin, type ServerProcess } from '../../helpers/server-process.ts';

const CLIENTS = 8;
/** How long the load runs before the SIGTERM. */
const LOAD_BEFORE_SIGTERM_MS = 1000;
export const PAGE = '/posts/writing-a-post';

/** Waits until `workers` processes log that they listen (a single process is its own worker). */
export async function allListening(server: ServerProcess, workers: number): Promise<string> {
  const base = await Promise.race([
    server.listening,
    server.exited.then((code) => {
      throw new Error(`exited (${code}) before listening: ${server.stderr()}`);
    }),
  ]);
  const until = Date.now() + 20_000;
  const listening = () =>
    server.logLines().filter((line) => line.msg?.startsWith('Server listening')).length;
  while (listening() < workers && Date.now() < until) await sleep(25);
  if (listening() < workers) throw new Error(`${listening()} of ${workers} processes listening`);
  return base;
}

export const answeredByApp = (server: ServerProcess): number =>
  server
    .logLines()
    .filter(
      (line) =>
        line.msg === 'request completed' &&
        line.quire?.route === '/posts/:slug' &&
        line.quire.statusCode === 200,
    ).length;

export interface RunResult {
  outcomes: Outcomes;
  exitCode: number | string;
}

/** One run: the load, the SIGTERM after LOAD_BEFORE_SIGTERM_MS, the load stopped once it exited. */
export async function underLoad(
  server: ServerProcess,
  target: Target,
  options: { stopSendingAfterSigtermMs?: number } = {},
): Promise<RunResult> {
  const stop = new AbortController();
  let sigtermAt = Infinity;
  const load = connectionPerRequest(target, {
    clients: CLIENTS,
    signal: stop.signal,
    maxMs: 30_000,
    keepSending: () =>
      options.stopSendingAfterSigtermMs === undefined ||
      Date.now() < sigtermAt + options.stopSendingAfterSigtermMs,
  });
  await sleep(LOAD_BEFORE_SIGTERM_MS);
  sigtermAt = Date.now();
  server.child.kill('SIGTERM');
  const exitCode = await exitWithin(server, 25_000);
  await sleep(300); // the load meets a closed port, or nginx's answers without the app
  stop.abort();
  return { outcomes: await load, exitCode };
}
