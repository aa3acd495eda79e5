/**
 * The process entry point: read the configuration, create the logger, then run as one of three
 * roles (see src/process/):
 *
 *   WORKERS=1       a single process that serves HTTP (Kubernetes: one per pod)
 *   WORKERS>1       the cluster primary, which renders once and forks workers
 *   (cluster child) a worker, which serves HTTP on the shared port
 *
 * A failure to start (bad posts, a missing posts directory, a port in use) is logged as one
 * fatal line (after a line per problem, for posts) and the process exits 1 with nothing left
 * listening.
 */
import cluster from 'node:cluster';
import { loadConfigOrExit } from './config.ts';
import { ContentError, formatProblem } from './content/types.ts';
import { asError, describeError } from './error-text.ts';
import { createLogger } from './log.ts';
import { PortError } from './process/port.ts';
import {
  ensureRuntime,
  PRIMARY_NODE_FLAGS,
  SERVING_ENV,
  SERVING_NODE_FLAGS,
} from './process/serving-runtime.ts';

const config = loadConfigOrExit('quire', 1);
if (config.workers === 1) ensureRuntime(SERVING_NODE_FLAGS, SERVING_ENV);
else if (cluster.isPrimary) ensureRuntime(PRIMARY_NODE_FLAGS);
const logger = createLogger(config.logLevel);
// Imported on demand: the primary never loads the web stack (Fastify, Nunjucks).
const run =
  config.workers === 1
    ? (await import('./process/single.ts')).runSingle
    : cluster.isPrimary
      ? (await import('./process/primary.ts')).runPrimary
      : (await import('./process/worker.ts')).runWorker;

await run(config, logger).catch((error: unknown) => {
  if (error instanceof ContentError) {
    // One line per problem, its parts as fields (issue #19), then the one fatal line.
    for (const problem of error.problems) {
      const { file, line, message } = problem;
      logger.error({ file, line, message }, formatProblem(problem));
    }
    const count = error.problems.length;
    logger.fatal({ problems: count }, `${count} problem${count === 1 ? '' : 's'} in posts`);
  } else if (error instanceof PortError) {
    logger.fatal(error.message);
  } else {
    logger.fatal({ err: asError(error) }, describeError(error));
  }
  process.exit(1);
});
