/**
 * The cluster primary's watchdog (issue #20). A worker whose event loop is blocked, or whose
 * process is stopped, keeps its listening socket: the kernel still hands it its share of the new
 * connections (SO_REUSEPORT), which wait unanswered. Each worker sends a heartbeat once it
 * listens; one silent for WORKER_HANG_MS is killed (SIGKILL), and the primary replaces it as it
 * does a crash. With WORKERS=1 (Kubernetes) there is no primary: the liveness probe does this.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from '../log.ts';
import { HEARTBEAT_MESSAGE, heartbeatEveryMs, LISTENING_MESSAGE } from './messages.ts';

export function watchWorkers(hangMs: number, logger: Logger, stopping: () => boolean): void {
  const heardAt = new Map<Worker, number>();
  cluster.on('message', (worker, message: unknown) => {
    if (message === HEARTBEAT_MESSAGE || message === LISTENING_MESSAGE)
      heardAt.set(worker, Date.now());
  });
  cluster.on('exit', (worker) => heardAt.delete(worker));

  const everyMs = heartbeatEveryMs(hangMs);
  let lastCheck = Date.now();
  setInterval(() => {
    const now = Date.now();
    // The primary itself did not run for a while (the machine suspended, the primary stopped):
    // its workers were not heard because it was not listening, not because they hung.
    const primaryPaused = now - lastCheck > 2 * everyMs;
    lastCheck = now;
    if (stopping()) return;
    for (const [worker, heard] of heardAt) {
      if (primaryPaused) heardAt.set(worker, now);
      const silentMs = now - heard;
      if (primaryPaused || silentMs <= hangMs) continue;
      heardAt.delete(worker);
      const workerPid = worker.process.pid;
      logger.warn(
        { workerPid, silentMs },
        `worker ${workerPid} silent for ${silentMs} ms (WORKER_HANG_MS ${hangMs}): killing it`,
      );
      worker.process.kill('SIGKILL');
    }
  }, everyMs).unref();
}
