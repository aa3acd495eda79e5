/**
 * A steady keep-alive load on loopback, bounded in time and count, that
 * classifies every request: answered (by status), refused at connect (never
 * accepted by any server), or failed after being sent.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'undici';
import type { TimedRequest } from './connection-per-request.ts';

export interface LoadResult {
  statuses: Record<number, number>;
  /** Connection refused: the request never reached a server. */
  refused: number;
  /** Errors after the connection was made: accepted requests that got no answer. */
  failures: string[];
  sent: number;
}

export interface LoadOptions {
  connections: number;
  /** Stops the load; it also stops by itself after `maxMs` or `maxRequests`. */
  signal: AbortSignal;
  maxMs?: number;
  maxRequests?: number;
  /** Told of every request when it ends, with when it started (the fault cases time them). */
  onRequest?: (request: TimedRequest) => void;
}

export async function steadyLoad(url: string, options: LoadOptions): Promise<LoadResult> {
  const { origin, pathname, search } = new URL(url);
  const result: LoadResult = { statuses: {}, refused: 0, failures: [], sent: 0 };
  const deadline = Date.now() + (options.maxMs ?? 30_000);
  const maxRequests = options.maxRequests ?? 200_000;
  const running = () =>
    !options.signal.aborted && Date.now() < deadline && result.sent < maxRequests;

  async function connection(): Promise<void> {
    let client = new Client(origin, { pipelining: 1 });
    while (running()) {
      result.sent++;
      const startedAt = performance.now();
      try {
        const response = await client.request({ path: pathname + search, method: 'GET' });
        await response.body.dump();
        result.statuses[response.statusCode] = (result.statuses[response.statusCode] ?? 0) + 1;
        const one = { kind: 'answered', status: response.statusCode } as const;
        options.onRequest?.({ one, startedAt, endedAt: performance.now() });
      } catch (error) {
        const code = (error as { code?: string }).code ?? (error as Error).message;
        const one =
          code === 'ECONNREFUSED'
            ? ({ kind: 'refused' } as const)
            : { kind: 'other' as const, what: code };
        options.onRequest?.({ one, startedAt, endedAt: performance.now() });
        if (code === 'ECONNREFUSED') {
          result.refused++;
          await client.close().catch(() => {});
          client = new Client(origin, { pipelining: 1 });
          await sleep(20);
        } else {
          result.failures.push(code);
        }
      }
    }
    await client.close().catch(() => {});
  }
  await Promise.all(Array.from({ length: options.connections }, connection));
  return result;
}
