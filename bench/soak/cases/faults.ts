/**
 * The fault cases of issue #20 as `npm run soak` cases: each is a `SoakCase` of bench/soak/case.ts
 * run with the context's `short`. They start the processes they break themselves
 * (a cluster to kill workers in, replicas, a cache on a tmpfs of its own), so they take nothing
 * else from the context. A case whose programs are missing (nginx, unshare with the right to
 * mount, certbot and pebble for the renewal) reports that as its problem, or runs without the
 * part that needs them.
 */
import { findTool } from '../../../test/helpers/require-tool.ts';
import type { CaseFigures, SoakCase } from '../case.ts';
import { appDownBehindNginx } from './app-down-behind-nginx.ts';
import { cacheUnwritable, cannotMount } from './cache-unwritable.ts';
import { hungWorkerUnderLoad } from './hung-worker.ts';
import { killWorkerUnderLoad } from './kill-worker.ts';
import { nginxReloadUnderLoad } from './nginx-reload.ts';
import { postsVanishUnderLoad } from './posts-vanish.ts';
import { rollingRestartUnderLoad } from './rolling-restart.ts';
import { sigtermPrimaryUnderLoad } from './sigterm-primary.ts';

/** What each fault case reports for one target. */
type FaultCaseFigures = CaseFigures;

/** A case that could not run here, as a figure saying why. */
const notRun = (why: string): FaultCaseFigures => ({
  sent: 0,
  answered: 0,
  failed: 0,
  lost: 0,
  fiveXX: 0,
  withinTarget: false,
  problems: [`not run: ${why}`],
});

function withNginx(
  run: (nginxBin: string) => Promise<FaultCaseFigures>,
): Promise<Record<string, FaultCaseFigures>> {
  const nginxBin = findTool('nginx');
  return (nginxBin ? run(nginxBin) : Promise.resolve(notRun('nginx is not installed'))).then(
    (figures) => ({ nginx: figures }),
  );
}

export const FAULT_CASES: SoakCase[] = [
  {
    name: 'kill-worker',
    run: async ({ short }) => ({ direct: await killWorkerUnderLoad({ short }) }),
  },
  {
    name: 'sigterm-primary',
    run: async ({ short }) => ({ direct: await sigtermPrimaryUnderLoad({ short }) }),
  },
  {
    name: 'hung-worker',
    run: async ({ short }) => ({ direct: await hungWorkerUnderLoad({ short }) }),
  },
  {
    name: 'cache-unwritable',
    run: async ({ short }) => {
      const why = cannotMount();
      if (why) return { full: notRun(why), 'read-only': notRun(why) };
      return {
        full: await cacheUnwritable({ short, fault: 'full' }),
        'read-only': await cacheUnwritable({ short, fault: 'read-only' }),
      };
    },
  },
  {
    name: 'posts-vanish',
    run: async ({ short }) => ({ direct: await postsVanishUnderLoad({ short }) }),
  },
  {
    name: 'nginx-reload',
    run: ({ short }) => {
      const names = ['certbot', 'pebble', 'pebble-challtestsrv', 'openssl'] as const;
      const found = names.map((name) => [name, findTool(name)] as const);
      const acme = found.every(([, path]) => path !== undefined)
        ? (Object.fromEntries(found) as Record<(typeof names)[number], string>)
        : undefined;
      return withNginx((nginxBin) => nginxReloadUnderLoad({ short, nginxBin, acme }));
    },
  },
  {
    name: 'app-down-behind-nginx',
    run: ({ short }) => withNginx((nginxBin) => appDownBehindNginx({ short, nginxBin })),
  },
  {
    name: 'rolling-restart',
    run: ({ short }) => withNginx((nginxBin) => rollingRestartUnderLoad({ short, nginxBin })),
  },
];
