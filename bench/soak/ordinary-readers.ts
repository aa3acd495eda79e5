/**
 * The ordinary readers' loop, run in a worker thread (ordinary.ts): the hostile clients of a
 * case keep the main thread's event loop busy, and latency measured there would be theirs.
 * Reads `path` on a few keep-alive connections until told to stop (a message) or `maxMs`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { Agent, request } from 'undici';

export interface ReadersInput {
  url: string;
  host: string;
  connections: number;
  maxMs: number;
}

export interface Sample {
  sent: number;
  answered: number;
  failed: number;
  /** What the failed requests got: a status or an error code, with counts. */
  failures: Record<string, number>;
  latenciesMs: number[];
}

/** A reader's pause between pages: ordinary traffic, not a load test. */
const PAUSE_MS = 10;

const input = workerData as ReadersInput;
// Loopback to the stack this run started; the certificate is its fresh self-signed one.
const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
const sample: Sample = { sent: 0, answered: 0, failed: 0, failures: {}, latenciesMs: [] };
let until = Number.POSITIVE_INFINITY;
let stopped = false;
parentPort?.once('message', () => (stopped = true));

const fail = (why: string) => {
  sample.failed++;
  sample.failures[why] = (sample.failures[why] ?? 0) + 1;
};

/**
 * The first request of each connection pays its connect (and TLS handshake): not timed, so that
 * both phases time requests on open keep-alive connections alike.
 */
const warm = () =>
  request(input.url, { dispatcher, headers: { host: input.host } }).then(
    (response) => response.body.dump(),
    () => {},
  );

async function reader(): Promise<void> {
  while (!stopped && performance.now() < until) {
    sample.sent++;
    const started = performance.now();
    try {
      const response = await request(input.url, {
        dispatcher,
        headers: { host: input.host },
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      await response.body.dump();
      sample.answered++;
      if (response.statusCode !== 200) fail(String(response.statusCode));
    } catch (error) {
      fail((error as { code?: string }).code ?? (error as Error).message);
    }
    sample.latenciesMs.push(performance.now() - started);
    await sleep(PAUSE_MS);
  }
}

await Promise.all(Array.from({ length: input.connections }, warm));
until = performance.now() + input.maxMs;
parentPort?.postMessage('ready');
await Promise.all(Array.from({ length: input.connections }, reader));
await dispatcher.close();
parentPort?.postMessage(sample);
