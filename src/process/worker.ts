/**
 * A cluster worker: serves HTTP on the shared port. The primary loaded the
 * posts and wrote the site index before forking, so a worker only opens that
 * index: it reads no post and runs no Shiki. Drains on the primary's shutdown message or on a
 * signal of its own (Ctrl-C reaches the whole process group).
 */
import { type Config, onPort } from '../config.ts';
import type { Logger } from '../log.ts';
import { createRegistry } from '../metrics.ts';
import { exitOnFatalErrors } from './fatal.ts';
import { openAndReport } from './load.ts';
import { answerMetricsRequests } from './metrics-collector.ts';
import {
  HEARTBEAT_MESSAGE,
  heartbeatEveryMs,
  isSiteMessage,
  LISTENING_MESSAGE,
  SHUTDOWN_MESSAGE,
  SITE_REQUEST,
  type SiteMessage,
} from './messages.ts';
import { serve } from './serve.ts';
import { onShutdown } from './signals.ts';

export async function runWorker(wanted: Config, logger: Logger): Promise<void> {
  exitOnFatalErrors(logger);
  // An orphaned worker (its primary was killed) must not keep serving alone.
  process.on('disconnect', () => {
    logger.error('lost the cluster primary: exiting');
    process.exit(1);
  });
  const registry = createRegistry();
  answerMetricsRequests(registry);
  let stop = (): void => process.exit(0);
  const trigger = onShutdown(logger, () => stop());
  process.on('message', (message: unknown) => {
    if (message === SHUTDOWN_MESSAGE) trigger('primary');
  });

  const { port, ...loaded } = await new Promise<SiteMessage>((resolve) => {
    const onMessage = (message: unknown) => {
      if (!isSiteMessage(message)) return;
      process.off('message', onMessage);
      resolve(message);
    };
    process.on('message', onMessage);
    process.send?.(SITE_REQUEST);
  });
  const config = onPort(wanted, port);
  const site = await openAndReport(config, logger, loaded);
  // A socket of its own on the shared port (SO_REUSEPORT, on Linux), so no connection waits in
  // the primary: with Node's round-robin the primary closes those still waiting, unanswered, when
  // the last worker stops listening (issue #16; lib/internal/cluster/round_robin_handle.js).
  // `reservePorts` checked that no one else listens there, so a second Quire cannot join.
  stop = await serve(config, logger, site, registry, { port, reusePort: true });
  process.send?.(LISTENING_MESSAGE);
  setInterval(
    () => process.send?.(HEARTBEAT_MESSAGE),
    heartbeatEveryMs(config.workerHangMs),
  ).unref();
}
