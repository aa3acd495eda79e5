/**
 * The cluster primary (`WORKERS` > 1, for a VM or compose). It never serves HTTP. It loads the
 * posts once (validating what changed, rendering what the render cache lacks, writing the site
 * index), then forks the workers, which only open that index; it replaces a worker that dies,
 * with exponential backoff, and gives up (exit 1, so its own supervisor restarts everything)
 * when workers crash-loop; it serves the cluster-wide metrics; and on SIGTERM it drains the
 * workers and exits 0 when they all did.
 */
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { childProcessEnvChanges, type Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { createClusterMetrics, createContentMetrics, createRegistry } from '../metrics.ts';
import { announce, servedPosts } from './announce.ts';
import { exitOnFatalErrors } from './fatal.ts';
import { loadAndReport } from './load.ts';
import { collectClusterMetrics } from './metrics-collector.ts';
import { startMetricsServer } from './metrics-server.ts';
import { reservePorts } from './port.ts';
import { SERVING_ENV, workerExecArgv } from './serving-runtime.ts';
import { onShutdown } from './signals.ts';
import { watchWorkers } from './watchdog.ts';
import { LISTENING_MESSAGE, SHUTDOWN_MESSAGE, SITE_REQUEST, type SiteMessage } from './messages.ts';

/** Well under Prometheus' default 10 s scrape timeout, even with a stuck worker. */
const METRICS_DEADLINE_MS = 2000;
const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 10_000;
/** Past its own deadline a worker has exited 1 by itself; this is for one that cannot (stuck, stopped). */
const SHUTDOWN_MARGIN_MS = 1000;

const liveWorkers = (): Worker[] =>
  Object.values(cluster.workers ?? {}).filter(
    (worker): worker is Worker => !!worker && !worker.isDead(),
  );

export async function runPrimary(wanted: Config, logger: Logger): Promise<void> {
  exitOnFatalErrors(logger);
  const registry = createRegistry();
  const clusterMetrics = createClusterMetrics(registry);
  let shuttingDown = false;
  onShutdown(logger, () => {
    shuttingDown = true;
    void shutdown(wanted, logger, stopMetrics);
  });
  let stopMetrics = (): void => {};

  // Before the load: a port in use stops the start at once, not after rendering.
  const config = await reservePorts(wanted);
  const { port } = config;
  // Only the version and count are kept: the primary serves nothing, so its posts can go.
  const { site, cacheWritten } = await loadAndReport(
    config,
    logger,
    createContentMetrics(registry),
  );
  const { version } = site;
  const posts = servedPosts(site);
  let announced = false;
  cluster.on('message', (worker, message: unknown) => {
    if (message === SITE_REQUEST)
      worker.send({ type: 'quire:site', version, port, cacheWritten } satisfies SiteMessage);
    // Once for the cluster: the first worker to listen makes the site reachable.
    if (message === LISTENING_MESSAGE && !announced) {
      announced = true;
      announce(config, posts);
    }
  });

  const metricsServer = await startMetricsServer(
    { port: config.metricsPort, host: config.metricsHost },
    () =>
      collectClusterMetrics(
        registry,
        (missing) => clusterMetrics.scrapeWorkersMissing.set(missing),
        METRICS_DEADLINE_MS,
      ),
    logger,
  );
  stopMetrics = () => metricsServer.close();

  // Not what node --watch or a debugger gave this process for itself (config.ts, issue #15).
  // Node's compile cache (https://nodejs.org/api/module.html#module-compile-cache): the first
  // workers leave their modules compiled on disk, so a replacement starts serving sooner (issue
  // #20: a dead worker is replaced within 2 s). Best effort: Node skips a cache it cannot write.
  const workerEnv = {
    ...childProcessEnvChanges(),
    ...SERVING_ENV,
    NODE_COMPILE_CACHE: join(config.cacheDir, 'node-compile-cache'),
  };
  const crashes: number[] = [];
  cluster.on('exit', (worker, code, signal) => {
    if (shuttingDown) return;
    const now = Date.now();
    crashes.push(now);
    while ((crashes[0] ?? now) < now - config.crashLoopWindowMs) crashes.shift();
    logger.error({ workerPid: worker.process.pid, code, signal }, 'worker died');

    if (crashes.length > config.crashLoopRestarts) {
      logger.fatal(
        { crashes: crashes.length, windowMs: config.crashLoopWindowMs },
        `workers crashed ${crashes.length} times in ${config.crashLoopWindowMs} ms: exiting so the supervisor restarts everything`,
      );
      for (const other of liveWorkers()) other.kill('SIGKILL');
      process.exit(1);
    }
    const backoffMs = Math.min(BACKOFF_FIRST_MS * 2 ** (crashes.length - 1), BACKOFF_MAX_MS);
    setTimeout(() => {
      if (shuttingDown) return;
      clusterMetrics.workerRestarts.inc();
      const replacement = cluster.fork(workerEnv);
      logger.info({ workerPid: replacement.process.pid, backoffMs }, 'worker replaced');
    }, backoffMs);
  });

  cluster.setupPrimary({ execArgv: workerExecArgv(process.execArgv) });
  for (let i = 0; i < config.workers; i++) cluster.fork(workerEnv);
  watchWorkers(config.workerHangMs, logger, () => shuttingDown);
  logger.info({ workers: config.workers }, 'cluster started');
}

async function shutdown(config: Config, logger: Logger, stopMetrics: () => void): Promise<void> {
  const workers = liveWorkers();
  let exitCode = 0;
  const exits = workers.map(async (worker) => {
    const [code, signal] = (await once(worker, 'exit')) as [number | null, string | null];
    if (code !== 0) {
      exitCode = 1;
      logger.error(
        { workerPid: worker.process.pid, code, signal },
        'worker did not shut down cleanly',
      );
    }
  });
  for (const worker of workers) worker.send(SHUTDOWN_MESSAGE);

  const deadlineMs = config.shutdownDelayMs + config.shutdownTimeoutMs + SHUTDOWN_MARGIN_MS;
  const allExited = await Promise.race([
    Promise.all(exits).then(() => true),
    sleep(deadlineMs, false, { ref: false }),
  ]);
  if (!allExited) {
    exitCode = 1;
    for (const worker of liveWorkers()) {
      logger.error(
        { workerPid: worker.process.pid, deadlineMs },
        'worker still busy at the shutdown deadline: killing it',
      );
      worker.process.kill('SIGKILL');
    }
  }
  stopMetrics();
  logger.info({ exitCode }, 'shutdown complete');
  process.exit(exitCode);
}
