/**
 * SIGTERM (Kubernetes, compose, systemd) and SIGINT (Ctrl-C) start one graceful shutdown; a
 * second signal means "now": exit 1 at once.
 *
 * Not close-with-grace: it closes gracefully on uncaught errors too (we exit at once, fatal.ts)
 * and has no notion of the draining delay; and a cluster worker must also drain on its primary's
 * message, without that counting as a "second signal" when Ctrl-C already reached the worker.
 */
import type { Logger } from '../log.ts';

export type ShutdownReason = NodeJS.Signals | 'primary';

/** Starts the shutdown once; later calls are ignored. */
export type ShutdownTrigger = (reason: ShutdownReason) => void;

export function onShutdown(
  logger: Logger,
  shutdown: (reason: ShutdownReason) => void,
): ShutdownTrigger {
  let started = false;
  const trigger: ShutdownTrigger = (reason) => {
    if (started) return;
    started = true;
    logger.info({ reason }, 'shutting down');
    shutdown(reason);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (!started) return trigger(signal);
      logger.warn({ signal }, `second ${signal}: exiting now`);
      process.exit(1);
    });
  }
  return trigger;
}
