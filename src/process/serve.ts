/**
 * What the single process and every cluster worker do alike: serve the site over HTTP and, once
 * asked to stop, drain (drain.ts) and exit: 0 when everything in flight finished within the
 * timeout, 1 (with a line saying why) when requests were still running.
 */
import type { Registry } from 'prom-client';
import { buildApp } from '../app.ts';
import type { Config } from '../config.ts';
import type { Site } from '../content/types.ts';
import { createLifecycle } from '../http/lifecycle.ts';
import type { Logger } from '../log.ts';
import { createHttpMetrics } from '../metrics.ts';
import { drainable } from './drain.ts';

/** Listens on HOST and `listen.port`; resolves to the graceful stop. */
export async function serve(
  config: Config,
  logger: Logger,
  site: Site,
  registry: Registry,
  listen: { port: number; reusePort?: boolean },
): Promise<() => void> {
  const lifecycle = createLifecycle();
  const app = buildApp(config, site, { logger, lifecycle, metrics: createHttpMetrics(registry) });
  const drain = drainable(app, lifecycle);
  await app.listen({ host: config.host, ...listen });
  const { shutdownDelayMs: delayMs, shutdownTimeoutMs: timeoutMs } = config;
  return () => {
    void drain({ delayMs, timeoutMs }).then((clean) => {
      if (clean) {
        logger.info('shutdown complete');
        process.exit(0);
      }
      logger.error(
        { timeoutMs },
        `requests still in flight after SHUTDOWN_TIMEOUT_MS (${timeoutMs} ms): exiting anyway`,
      );
      process.exit(1);
    });
  };
}
