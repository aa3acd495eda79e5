/**
 * The cluster primary's check of the public port before it forks: its workers listen with
 * SO_REUSEPORT (serve.ts), which would let them join another program's listeners on the same
 * port silently. Listening here without it fails with EADDRINUSE when anyone listens there, and
 * resolves port 0 to one free port that every worker, replacements included, then shares.
 */
import { once } from 'node:events';
import { createServer } from 'node:net';

export async function reservePort(host: string, port: number): Promise<number> {
  const server = createServer();
  server.listen({ host, port, exclusive: true });
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => Promise.reject(error as Error)),
  ]);
  const address = server.address();
  const chosen = typeof address === 'object' && address !== null ? address.port : port;
  server.close();
  await once(server, 'close');
  return chosen;
}
