/**
 * Fault case (issue #20): nginx reloads and a certificate renewal under load, through the
 * project's nginx config in front of a cluster. Browser-like clients (keep-alive, one retry of a
 * request whose kept-alive connection nginx closed before reading it: test/system/nginx/
 * acme-environment.ts says why that is not a lost request) read a post while nginx gets SIGHUP
 * `reloads` times, then while certbot renews the certificate from pebble, whose deploy hook
 * reloads nginx (the renewal of test/system/nginx/acme.test.ts). Target: 0 failed requests,
 * every request nginx logged answered 200.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type AcmeTools,
  browserLikeLoad,
  certbotFor,
  issueCertificate,
  lineageSerial,
  renewUnderLoad,
  startPebble,
  waitForSerial,
} from '../../../test/system/nginx/acme-environment.ts';
import { SERVER_NAME } from '../../../test/system/nginx/environment.ts';
import { startBehindNginx } from '../faults/behind-nginx.ts';
import { type FaultFigures, type Judged, judged } from '../faults/figures.ts';
import { inScope } from '../faults/scope.ts';

export type NginxReloadFigures = Omit<FaultFigures, 'p50Ms' | 'p99Ms'> &
  Judged & {
    reloads: number;
    /** Requests retried once after nginx closed their idle connection (none was lost). */
    retried: number;
    /** Whether the renewal ran (certbot and pebble found), and nginx served the new certificate. */
    renewed: boolean;
    /** Requests nginx logged, and those it answered with anything but 200. */
    nginxLogged: number;
    nginxNot200: number;
  };

const CONNECTIONS = 8;
const PAGE = '/posts/writing-a-post';

export async function nginxReloadUnderLoad({
  short,
  nginxBin,
  acme,
}: {
  short: boolean;
  nginxBin: string;
  /** certbot's and pebble's programs; without them only the plain reloads run. */
  acme?: AcmeTools | undefined;
}): Promise<NginxReloadFigures> {
  const reloads = short ? 3 : 20;
  return inScope(async (scope) => {
    const { setup, nginx, ca } = await startBehindNginx(scope, { nginxBin });
    const url = `https://127.0.0.1:${setup.httpsPort}${PAGE}`;

    const stop = new AbortController();
    const load = browserLikeLoad(url, CONNECTIONS, { ca, servername: SERVER_NAME }, stop.signal);
    try {
      await sleep(500);
      for (let reload = 0; reload < reloads; reload++) {
        nginx.reload();
        await sleep(1000);
      }
    } finally {
      stop.abort();
    }
    const reloading = await load;

    let renewal: Awaited<ReturnType<typeof renewUnderLoad>> | undefined;
    if (acme) {
      const pebble = await startPebble(setup.httpPort, {
        paths: acme,
        dir: await scope.tempDir('quire-soak-pebble-'),
        defer: (cleanup) => scope.defer(cleanup),
      });
      const certbot = certbotFor(setup, pebble, await scope.tempDir('quire-soak-certbot-'));
      await issueCertificate(certbot);
      const root = await pebble.root();
      await waitForSerial(setup.httpsPort, root, await lineageSerial(certbot.configDir));
      renewal = await renewUnderLoad(setup, certbot, root, {
        connections: CONNECTIONS,
        path: PAGE,
      });
    }

    const loads = renewal ? [reloading, renewal.load] : [reloading];
    const answered = loads.reduce(
      (sum, one) => sum + Object.values(one.statuses).reduce((a, b) => a + b, 0),
      0,
    );
    const failed = loads.reduce((sum, one) => sum + one.failures.length, 0);
    const fiveXX = loads.reduce(
      (sum, one) =>
        sum +
        Object.entries(one.statuses)
          .filter(([status]) => Number(status) >= 500)
          .reduce((a, [, n]) => a + n, 0),
      0,
    );
    const logged = nginx.accessLog().filter((line) => line.uri === PAGE);
    const figures = {
      sent: loads.reduce((sum, one) => sum + one.sent, 0),
      answered,
      failed: failed + fiveXX,
      lost: failed,
      fiveXX,
      reloads: reloads + (renewal ? 1 : 0),
      retried: loads.reduce((sum, one) => sum + one.retried, 0),
      renewed: renewal !== undefined && renewal.renewed !== renewal.before,
      nginxLogged: logged.length,
      nginxNot200: logged.filter((line) => line.statusCode !== 200).length,
    };
    return judged(figures, [
      [figures.failed === 0, `${figures.failed} requests failed`],
      [
        figures.nginxNot200 === 0,
        `nginx answered ${figures.nginxNot200} requests with other than 200`,
      ],
      [
        figures.nginxLogged === figures.answered,
        `nginx logged ${figures.nginxLogged}, ${figures.answered} answered`,
      ],
      [!acme || figures.renewed, 'the renewal did not serve a new certificate'],
    ]);
  });
}
