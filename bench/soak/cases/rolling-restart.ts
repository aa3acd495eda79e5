/**
 * Fault case (issue #20): a rolling restart under load. Two replicas (WORKERS=1 each, as
 * Kubernetes runs them, each with its own cache and the SHUTDOWN_DELAY_MS of k8s/base) behind the
 * project's nginx, its upstream holding both (NGINX_UPSTREAM with two addresses) and its
 * micro-cache off, so every request reaches a replica. Clients open a new connection per request
 * through nginx while each replica in turn gets SIGTERM, exits, and is started again on its port
 * before the next one goes. Target: 0 failed requests, every answer a 200, every exit code 0.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { connectionPerRequest } from '../../../test/helpers/connection-per-request.ts';
import type { ServerProcess } from '../../../test/helpers/server-process.ts';
import {
  freePort,
  renderNginxIn,
  SERVER_NAME,
  spawnNginx,
} from '../../../test/system/nginx/environment.ts';
import { readFile } from 'node:fs/promises';
import { appBehindNginx } from '../faults/behind-nginx.ts';
import { workersListening } from '../faults/cluster.ts';
import { type FaultFigures, type Judged, judged, RequestLog } from '../faults/figures.ts';
import { manifestShutdownDelay } from '../faults/manifests.ts';
import { inScope } from '../faults/scope.ts';

export type RollingRestartFigures = FaultFigures &
  Judged & {
    rolls: number;
    shutdownDelayMs: number;
    /** Every replica's exit code, in order. */
    exitCodes: (number | string)[];
    /** Requests nginx passed to a second replica after the first could not take them. */
    nginxRetried: number;
    /** Requests nginx logged with anything but 200, and a few of its log lines for them. */
    nginxNot200: number;
    examples: string[];
  };

const CLIENTS = 8;
const PAGE = '/posts/writing-a-post';

export async function rollingRestartUnderLoad({
  short,
  nginxBin,
}: {
  short: boolean;
  nginxBin: string;
}): Promise<RollingRestartFigures> {
  const rolls = short ? 1 : 3;
  const shutdownDelay = await manifestShutdownDelay();
  return inScope(async (scope) => {
    const ports = [await freePort(), await freePort()];
    const cacheDirs = [await scope.tempDir(), await scope.tempDir()];
    const replica = async (index: number): Promise<ServerProcess> => {
      const app = appBehindNginx(scope, ports[index]!, {
        WORKERS: '1',
        CACHE_DIR: cacheDirs[index]!,
        SHUTDOWN_DELAY_MS: shutdownDelay,
      });
      await workersListening(app, 1);
      return app;
    };
    const replicas = [await replica(0), await replica(1)];
    const setup = await renderNginxIn(
      await scope.tempDir('quire-soak-nginx-'),
      ports.map((port) => `127.0.0.1:${port}`).join(','),
      { NGINX_MICROCACHE: 'off' },
    );
    const nginx = await spawnNginx(setup, nginxBin);
    scope.defer(() => nginx.kill());
    const ca = await readFile(setup.env.NGINX_TLS_CERT!, 'utf8');

    const requests = new RequestLog();
    const stop = new AbortController();
    const load = connectionPerRequest(
      {
        host: '127.0.0.1',
        port: setup.httpsPort,
        path: PAGE,
        hostHeader: SERVER_NAME,
        tls: { ca, servername: SERVER_NAME },
      },
      { clients: CLIENTS, signal: stop.signal, maxMs: 600_000, onRequest: requests.add },
    );
    const exitCodes: (number | string)[] = [];
    try {
      await sleep(1000);
      for (let roll = 0; roll < rolls; roll++) {
        for (const index of [0, 1]) {
          const old = replicas[index]!;
          old.child.kill('SIGTERM');
          exitCodes.push(await old.exited);
          replicas[index] = await replica(index);
          await sleep(1000);
        }
      }
    } finally {
      stop.abort();
      await load;
    }
    const logged = nginx.accessLog().filter((line) => line.uri === PAGE);
    const figures = {
      ...requests.figures(),
      rolls,
      shutdownDelayMs: Number(shutdownDelay),
      exitCodes,
      nginxRetried: logged.filter((line) => String(line.upstreamStatus).includes(',')).length,
      nginxNot200: logged.filter((line) => line.statusCode !== 200).length,
      examples: logged
        .filter((line) => line.statusCode !== 200)
        .slice(0, 3)
        .map((line) => JSON.stringify(line)),
    };
    return judged(figures, [
      [figures.exitCodes.every((code) => code === 0), `exit codes ${figures.exitCodes.join(', ')}`],
      [figures.failed === 0, `${figures.failed} requests were not answered 200`],
      [figures.nginxNot200 === 0, `nginx answered ${figures.nginxNot200} with other than 200`],
    ]);
  });
}
