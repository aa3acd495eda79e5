/**
 * `WORKERS=1`: one process, no cluster primary. This is how Quire runs in
 * Kubernetes (scale by replicas, one process per pod): it loads the site,
 * serves HTTP, serves its own metrics, and drains on SIGTERM.
 */
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { createContentMetrics, createRegistry } from '../metrics.ts';
import { announce, servedPosts } from './announce.ts';
import { exitOnFatalErrors } from './fatal.ts';
import { loadAndReport } from './load.ts';
import { startMetricsServer } from './metrics-server.ts';
import { serve } from './serve.ts';
import { reservePorts } from './port.ts';
import { onShutdown } from './signals.ts';

export async function runSingle(wanted: Config, logger: Logger): Promise<void> {
  exitOnFatalErrors(logger);
  const registry = createRegistry();
  // Before anything slow: a signal while loading stops the process cleanly.
  let stop = (): void => process.exit(0);
  onShutdown(logger, () => stop());

  // Before the load: a port in use stops the start at once, not after rendering.
  const config = await reservePorts(wanted);
  const { site } = await loadAndReport(config, logger, createContentMetrics(registry));
  const drain = await serve(config, logger, site, registry, { port: config.port });
  // Listening now: from here a signal drains, even while the metrics server is still starting.
  let closeMetrics = (): void => {};
  stop = () => {
    closeMetrics();
    drain();
  };
  const metricsServer = await startMetricsServer(
    { port: config.metricsPort, host: config.metricsHost },
    async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
    logger,
  );
  closeMetrics = () => metricsServer.close();
  announce(config, servedPosts(site));
}
