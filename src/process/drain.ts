/**
 * The graceful part of a shutdown, for a process that serves HTTP:
 *
 * 1. `/readyz` answers 503 at once and every response carries `Connection: close`, so load
 *    balancers stop sending new work and keep-alive clients go elsewhere;
 * 2. everything is still served, new connections included, for `delayMs` (Kubernetes removes
 *    the pod from its endpoints asynchronously: traffic keeps arriving for a moment);
 * 3. `app.close()`: the listener closes, requests in progress finish, idle keep-alive
 *    connections close, and a connection accepted but still silent is left to send its
 *    request, which is answered (issue #16);
 * 4. resolve `true` when every connection ended within `timeoutMs`, `false` otherwise (the
 *    caller exits non-zero and says so).
 */
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Lifecycle } from '../http/lifecycle.ts';

/**
 * How long a connection may stay without a whole request once the listener has closed: one
 * still silent a second after its handshake is a browser's speculative preconnect or a stalled
 * client. Node's `server.close()` leaves it open (not idle: no request has ended on it) and
 * stops enforcing `headersTimeout`, so it held every shutdown to SHUTDOWN_TIMEOUT_MS and exit 1.
 */
const SILENT_GRACE_MS = 1000;

type Drain = (options: { delayMs: number; timeoutMs: number }) => Promise<boolean>;

/** Call before `listen()`: it follows every connection from its accept. */
export function drainable(app: FastifyInstance, lifecycle: Lifecycle): Drain {
  /** Connections on which no whole request has arrived yet. */
  const silent = new Set<Socket>();
  app.server.on('connection', (socket: Socket) => {
    silent.add(socket);
    socket.once('close', () => silent.delete(socket));
  });
  app.server.on('request', (request: { socket: Socket }) => silent.delete(request.socket));

  return async ({ delayMs, timeoutMs }) => {
    lifecycle.draining = true;
    if (delayMs > 0) await sleep(delayMs);
    const deadline = new AbortController();
    const timedOut = sleep(timeoutMs, false, { signal: deadline.signal }).catch(() => false);
    const closed = app.close().then(() => true);
    setTimeout(() => {
      for (const socket of silent) socket.destroy();
    }, SILENT_GRACE_MS).unref();
    const done = await Promise.race([closed, timedOut]);
    deadline.abort();
    return done;
  };
}
