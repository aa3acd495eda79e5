/**
 * Every port a start will listen on (PORT and METRICS_PORT), checked before it listens on any
 * (issue #19), so a second Quire on another PORT stops at once, with one line naming the variable
 * that clashes, instead of serving pages without its metrics. Listening here without
 * SO_REUSEPORT fails when anyone listens there: cluster workers listen with it (serve.ts), which
 * would let them join another program's listeners silently. Port 0 resolves to one free port,
 * which every worker, replacements included, then shares.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { type Config, onPort } from '../config.ts';

/** A port Quire cannot listen on. The message is one line naming the variable to change. */
export class PortError extends Error {
  override name = 'PortError';
}

async function listen(server: Server, host: string, port: number, variable: string) {
  const error = await new Promise<NodeJS.ErrnoException | undefined>((resolve) => {
    server.once('listening', () => resolve(undefined)).once('error', resolve);
    server.listen({ host, port, exclusive: true });
  });
  if (error === undefined) return (server.address() as { port: number }).port;
  const hostVariable = variable === 'PORT' ? 'HOST' : 'METRICS_HOST';
  throw new PortError(
    error.code === 'EADDRINUSE'
      ? `${variable} ${port} is in use on ${host} (another Quire?): set ${variable} to a free port`
      : `cannot listen on ${host}:${port} (${hostVariable}, ${variable}): ${error.message}`,
  );
}

/** `config` with both ports checked free, and 0 resolved; throws `PortError` otherwise. */
export async function reservePorts(config: Config): Promise<Config> {
  const servers = [createServer(), createServer()] as const;
  try {
    const port = await listen(servers[0], config.host, config.port, 'PORT');
    const metricsPort = await listen(
      servers[1],
      config.metricsHost,
      config.metricsPort,
      'METRICS_PORT',
    );
    return { ...onPort(config, port), metricsPort };
  } finally {
    await Promise.all(
      servers
        .filter((server) => server.listening)
        .map((server) => {
          server.close();
          return once(server, 'close');
        }),
    );
  }
}
