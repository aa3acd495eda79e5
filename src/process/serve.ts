/** What the single process and every cluster worker do alike when serving. */
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';

export const listenOptions = (config: Config) => ({ port: config.port, host: config.host });

/**
 * A cluster worker listens on a socket of its own on the shared port (SO_REUSEPORT, on Linux):
 * the kernel spreads new connections over the workers and none waits in the primary. With
 * Node's default round-robin the primary accepts every connection and hands it on, and when the
 * last worker stops listening it closes those still waiting, unanswered (issue #16;
 * lib/internal/cluster/round_robin_handle.js, `remove`). The primary has checked that no one
 * else listens on the port (`reservePort`), so a second Quire cannot join the group.
 */
export const workerListenOptions = (config: Config, port: number) => ({
  port,
  host: config.host,
  reusePort: true,
});

export const shutdownOptions = (config: Config) => ({
  delayMs: config.shutdownDelayMs,
  timeoutMs: config.shutdownTimeoutMs,
});

/**
 * Exits once draining is over: 0 when everything in flight finished within
 * the timeout, 1 (with a line saying why) when requests were still running.
 */
export function exitWhenDrained(drained: Promise<boolean>, logger: Logger, config: Config): void {
  void drained.then((clean) => {
    if (clean) {
      logger.info('shutdown complete');
      process.exit(0);
    }
    logger.error(
      { timeoutMs: config.shutdownTimeoutMs },
      `requests still in flight after SHUTDOWN_TIMEOUT_MS (${config.shutdownTimeoutMs} ms): exiting anyway`,
    );
    process.exit(1);
  });
}
