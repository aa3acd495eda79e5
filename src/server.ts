/**
 * The process entry point: configuration → logger → site → app → listen.
 * `buildApp()` never listens; this file is the only one that does.
 *
 * Errors are fatal: anything that escapes is logged as one JSON line and the
 * process exits 1, so the supervisor (Kubernetes, compose, systemd) restarts it.
 */
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { loadSite } from './content/load-site.ts';
import { ContentError, formatProblem } from './content/types.ts';
import { createLogger, type Logger } from './log.ts';

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // No logger exists before the log level is known: one plain line, then exit.
    process.stderr.write(`quire: invalid configuration: ${error.message}\n`);
    process.exit(1);
  }
}

async function start(config: Config, logger: Logger): Promise<FastifyInstance> {
  const { site, report } = await loadSite({
    postsDir: config.postsDir,
    cacheDir: config.cacheDir,
    title: config.siteTitle,
    url: config.siteUrl,
  });
  for (const warning of report.warnings)
    logger.warn({ file: warning.file, line: warning.line }, formatProblem(warning));
  if (report.cacheError) logger.warn(report.cacheError);
  const { warnings: _, cacheError: __, ...counts } = report;
  logger.info(counts, 'site loaded');

  const app = buildApp(config, site, { logger });
  await app.listen({ port: config.port, host: config.host });
  return app;
}

const config = readConfig();
const logger = createLogger(config.logLevel);
/** Set once listening; the shutdown handler may run before that. */
const running: { app?: FastifyInstance } = {};

function logFatal(error: unknown, message: string): void {
  if (error instanceof ContentError) {
    logger.fatal({ problems: error.problems.map(formatProblem) }, error.message);
  } else {
    logger.fatal({ err: error }, message);
  }
}

// Installed before anything slow, so a signal during start-up is handled too.
// An uncaught exception or unhandled rejection is logged once, in-flight
// requests get the grace delay, and the process exits 1; a second signal or
// the delay running out exits at once.
closeWithGrace({ delay: 10_000, logger }, async ({ signal, err }) => {
  if (err) logFatal(err, 'uncaught error, shutting down');
  else logger.info({ signal }, 'shutting down');
  await running.app?.close();
});

running.app = await start(config, logger).catch((error: unknown) => {
  logFatal(error, error instanceof Error ? error.message : 'startup failed');
  process.exit(1);
});
