/**
 * Fault case (issue #20): the app down behind nginx, then back. Through the project's nginx
 * config, new connections read a post nginx has in its micro-cache while the app (a cluster) is
 * stopped, then started again on the same port; meanwhile a probe asks every 50 ms for a page
 * nginx never had (a query string of its own each time). Target: while the app is down the cached
 * post is served stale and the probe gets nginx's own 502 page, no request goes unanswered; once
 * the app listens again the probe gets the app's page at once (nginx does not hold a lone
 * upstream as failed).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { connectionPerRequest } from '../../../test/helpers/connection-per-request.ts';
import { SERVER_NAME } from '../../../test/system/nginx/environment.ts';
import { appBehindNginx, startBehindNginx } from '../faults/behind-nginx.ts';
import { workersListening } from '../faults/cluster.ts';
import { type FaultFigures, type Judged, judged, RequestLog } from '../faults/figures.ts';
import { inScope } from '../faults/scope.ts';

export type AppDownFigures = FaultFigures &
  Judged & {
    outages: number;
    /** Answers to the cached post while the app was down, and how many of them were 200. */
    cachedWhileDown: number;
    cached200WhileDown: number;
    /** Probes of never-cached pages while the app was down: nginx's 502 page each time. */
    probesWhileDown: number;
    probes502WhileDown: number;
    /** Whether nginx's 502 was its own page (its title, no server name) every time. */
    ownErrorPage: boolean;
    /** From the app listening again to the first probe the app answered, the slowest. */
    slowestRecoveryMs: number;
  };

const CACHED = '/posts/writing-a-post';
const NEVER_CACHED = '/posts/welcome-to-quire';
/** Well under nginx's fail_timeout (10 s): it does not hold a lone upstream as failed. */
const RECOVERED_WITHIN_MS = 2000;

export async function appDownBehindNginx({
  short,
  nginxBin,
}: {
  short: boolean;
  nginxBin: string;
}): Promise<AppDownFigures> {
  const outages = short ? 1 : 5;
  return inScope(async (scope) => {
    const cacheDir = await scope.tempDir();
    const stack = await startBehindNginx(scope, { nginxBin, env: { CACHE_DIR: cacheDir } });
    let app = stack.app;
    const { setup, ca, appPort } = stack;
    const agent = new Agent({ connect: { ca, servername: SERVER_NAME } });
    scope.defer(() => agent.close());
    let probeNumber = 0;
    const probe = async () => {
      const response = await request(
        `https://127.0.0.1:${setup.httpsPort}${NEVER_CACHED}?probe=${probeNumber++}`,
        { dispatcher: agent, headers: { host: SERVER_NAME } },
      );
      return { status: response.statusCode, body: await response.body.text() };
    };
    const requests = new RequestLog();
    const stop = new AbortController();
    const load = connectionPerRequest(
      {
        host: '127.0.0.1',
        port: setup.httpsPort,
        path: CACHED,
        hostHeader: SERVER_NAME,
        tls: { ca, servername: SERVER_NAME },
      },
      { clients: 4, signal: stop.signal, maxMs: 300_000, onRequest: requests.add },
    );
    const downWindows: { from: number; to: number }[] = [];
    let probesWhileDown = 0;
    let probes502WhileDown = 0;
    let ownErrorPage = true;
    let slowestRecoveryMs = 0;
    try {
      await sleep(1000);
      for (let outage = 0; outage < outages; outage++) {
        app.child.kill('SIGTERM');
        await app.exited;
        const from = performance.now();
        // Past the micro-cache's 1 s lifetime (nginx counts whole seconds): stale from here.
        const downUntil = Date.now() + (short ? 2500 : 5000);
        while (Date.now() < downUntil) {
          const answer = await probe();
          probesWhileDown++;
          if (answer.status === 502) probes502WhileDown++;
          ownErrorPage &&=
            /<h1>Temporarily unavailable<\/h1>/.test(answer.body) && !/nginx/i.test(answer.body);
          await sleep(50);
        }
        app = appBehindNginx(scope, appPort, { CACHE_DIR: cacheDir });
        await workersListening(app, 2);
        const back = performance.now();
        downWindows.push({ from, to: back });
        while ((await probe()).status !== 200) await sleep(10);
        slowestRecoveryMs = Math.max(slowestRecoveryMs, performance.now() - back);
        await sleep(1000);
      }
    } finally {
      stop.abort();
      await load;
    }
    const whileDown = requests.requests.filter((request) =>
      downWindows.some(({ from, to }) => request.startedAt > from && request.endedAt < to),
    );
    const figures = {
      ...requests.figures(),
      outages,
      cachedWhileDown: whileDown.length,
      cached200WhileDown: whileDown.filter(
        (request) => request.one.kind === 'answered' && request.one.status === 200,
      ).length,
      probesWhileDown,
      probes502WhileDown,
      ownErrorPage,
      slowestRecoveryMs: Math.round(slowestRecoveryMs),
    };
    return judged(figures, [
      [
        figures.failed === 0,
        `${figures.failed} requests for the cached page were not answered 200`,
      ],
      [
        figures.probes502WhileDown === figures.probesWhileDown,
        `${figures.probesWhileDown - figures.probes502WhileDown} probes while down were not 502`,
      ],
      [figures.ownErrorPage, "a 502 was not nginx's own page"],
      [
        figures.slowestRecoveryMs < RECOVERED_WITHIN_MS,
        `served again only ${figures.slowestRecoveryMs} ms after the app was back`,
      ],
    ]);
  });
}
