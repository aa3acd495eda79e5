/** What the single process and every cluster worker do alike when serving. */
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';

export const listenOptions = (config: Config) => ({ port: config.port, host: config.host });

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
