/**
 * Quire behind the project's nginx config (nginx/, rendered by nginx/render.sh) for the fault
 * cases, with every process and file tied to a `Scope`: the app as docker-compose.prod.yml runs
 * it (a cluster, trusting nginx's forwarded headers, the security headers left to nginx) on the
 * sample blog, and nginx on loopback ports with a self-signed certificate.
 */
import { readFile } from 'node:fs/promises';
import type { ServerProcess } from '../../../test/helpers/server-process.ts';
import {
  freePort,
  type Nginx,
  type NginxSetup,
  renderNginxIn,
  SERVER_NAME,
  spawnNginx,
} from '../../../test/system/nginx/environment.ts';
import { workersListening } from './cluster.ts';
import type { Scope } from './scope.ts';

/** The app's environment behind nginx; `env` may add to it or override it. */
export function appBehindNginx(scope: Scope, port: number, env: Record<string, string> = {}) {
  return scope.server({
    WORKERS: '2',
    NODE_ENV: 'production',
    PORT: String(port),
    POSTS_DIR: 'posts',
    TRUST_PROXY: '127.0.0.1',
    SITE_URL: `https://${SERVER_NAME}`,
    SECURITY_HEADERS: 'proxy',
    ...env,
  });
}

export interface BehindNginx {
  app: ServerProcess;
  appPort: number;
  setup: NginxSetup;
  nginx: Nginx;
  /** nginx's own certificate (self-signed), to trust for SERVER_NAME. */
  ca: string;
}

/** The app (its cache in a fresh directory) and nginx in front of it, once both listen. */
export async function startBehindNginx(
  scope: Scope,
  { nginxBin, env = {} }: { nginxBin: string; env?: Record<string, string> },
): Promise<BehindNginx> {
  const appPort = await freePort();
  const app = appBehindNginx(scope, appPort, { CACHE_DIR: await scope.tempDir(), ...env });
  await workersListening(app, Number(env.WORKERS ?? 2));
  const setup = await renderNginxIn(
    await scope.tempDir('quire-soak-nginx-'),
    `127.0.0.1:${appPort}`,
  );
  const nginx = await spawnNginx(setup, nginxBin);
  scope.defer(() => nginx.kill());
  return { app, appPort, setup, nginx, ca: await readFile(setup.env.NGINX_TLS_CERT!, 'utf8') };
}
