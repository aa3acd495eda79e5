/**
 * Errors are fatal. An uncaught exception or unhandled rejection means this process is in a state
 * nobody designed; it logs one fatal JSON line with the stack and exits 1 at once, and its
 * supervisor (the cluster primary, Kubernetes, compose) starts a fresh one. No graceful close: the
 * requests in flight on a broken process are lost either way, the other processes' are not.
 */
import { asError, describeError } from '../error-text.ts';
import type { Logger } from '../log.ts';

export function exitOnFatalErrors(logger: Logger): void {
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, `uncaught exception: ${describeError(err)}`);
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: asError(reason) }, `unhandled rejection: ${describeError(reason)}`);
    process.exit(1);
  });
}
