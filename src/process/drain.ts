/**
 * The graceful part of a shutdown, for a process that serves HTTP:
 *
 * 1. `/readyz` answers 503 at once, so load balancers stop sending new work;
 * 2. everything is still served for `delayMs` (Kubernetes removes the pod
 *    from its endpoints asynchronously: traffic keeps arriving for a moment);
 * 3. `app.close()`: stop accepting, finish in-flight requests, close idle
 *    keep-alive connections;
 * 4. resolve `true` if that took less than `timeoutMs`, `false` otherwise
 *    (the caller exits non-zero and says so).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Lifecycle } from '../http/lifecycle.ts';

export interface DrainOptions {
  delayMs: number;
  timeoutMs: number;
}

export async function drain(
  app: FastifyInstance,
  lifecycle: Lifecycle,
  { delayMs, timeoutMs }: DrainOptions,
): Promise<boolean> {
  lifecycle.draining = true;
  if (delayMs > 0) await sleep(delayMs);
  const deadline = new AbortController();
  const timedOut = sleep(timeoutMs, false, { signal: deadline.signal }).catch(() => false);
  const closed = app.close().then(() => true);
  const done = await Promise.race([closed, timedOut]);
  deadline.abort();
  return done;
}
