/**
 * `GET /metrics` on its own port (`METRICS_PORT`), never the public one: the
 * public port faces the internet through nginx, Prometheus scrapes the pod.
 * A plain node:http server: one route, no framework needed.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import { createServer } from '../node-http.ts';
import type { Logger } from '../log.ts';

export interface Exposition {
  contentType: string;
  body: string;
}

export async function startMetricsServer(
  { port, host }: { port: number; host: string },
  collect: () => Promise<Exposition>,
  logger: Logger,
): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found\n');
      return;
    }
    collect().then(
      ({ contentType, body }) => {
        response.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        logger.error({ err }, 'metrics collection failed');
        response
          .writeHead(500, { 'content-type': 'text/plain' })
          .end('metrics collection failed\n');
      },
    );
  });
  server.listen(port, host);
  await once(server, 'listening');
  const address = server.address();
  logger.info(
    { port: typeof address === 'object' && address ? address.port : port },
    'metrics listening',
  );
  return server;
}
