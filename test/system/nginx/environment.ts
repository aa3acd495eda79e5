/**
 * The project's real nginx configuration (nginx/), rendered by
 * nginx/render.sh into a given prefix and run in the foreground on loopback
 * ephemeral ports, with pid, temp files, cache and certificates under that
 * prefix, so it runs beside any other nginx and never touches /etc/nginx.
 *
 * Free of node:test on purpose: the system tests (harness.ts, which ties the
 * clean-up to `after()`) and `npm run bench:nginx` share it.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdir } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const NGINX_DIR = join(ROOT, 'nginx');
export const ASSETS_DIR = join(ROOT, 'templates', 'assets');
/** The certificate's name; every test request uses it for Host and SNI. */
export const SERVER_NAME = 'quire.test';
export const NGINX_BIN = '/usr/sbin/nginx';

export const run = promisify(execFile);

/** A port the kernel just handed out on loopback (closed again at once). */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

export interface NginxSetup {
  prefix: string;
  confFile: string;
  /** conf.d, where render.sh wrote the site (the benchmark adds a file there). */
  confDir: string;
  pidFile: string;
  httpPort: number;
  httpsPort: number;
  /** The NGINX_* variables the config was rendered with (the certbot scripts read them too). */
  env: Record<string, string>;
}

/** Renders nginx/ into `prefix` (an existing, empty directory), with a temporary self-signed certificate. */
export async function renderNginxIn(
  prefix: string,
  upstream: string,
  overrides: Record<string, string> = {},
): Promise<NginxSetup> {
  // nginx's workers run as nobody when this runs as root: they must be
  // able to reach the webroot and the state directory.
  await chmod(prefix, 0o755);
  const conf = join(prefix, 'conf');
  await mkdir(join(prefix, 'webroot'), { recursive: true });
  // nginx creates the directories inside NGINX_STATE_DIR, not the directory itself.
  await mkdir(join(prefix, 'state'));
  await cp(join(NGINX_DIR, 'nginx.conf'), join(conf, 'nginx.conf'));
  await cp(join(NGINX_DIR, 'snippets'), join(conf, 'snippets'), { recursive: true });
  // Debian's MIME table, read only (nginx.conf includes it relative to itself).
  await cp('/etc/nginx/mime.types', join(conf, 'mime.types'));
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const env: Record<string, string> = {
    NGINX_SERVER_NAME: SERVER_NAME,
    NGINX_UPSTREAM: upstream,
    NGINX_HTTP_LISTEN: `127.0.0.1:${httpPort}`,
    NGINX_HTTPS_LISTEN: `127.0.0.1:${httpsPort}`,
    NGINX_PUBLIC_HTTPS_PORT: String(httpsPort),
    NGINX_TLS_CERT: join(prefix, 'tls', 'fullchain.pem'),
    NGINX_TLS_KEY: join(prefix, 'tls', 'privkey.pem'),
    NGINX_ACME_WEBROOT: join(prefix, 'webroot'),
    NGINX_ASSETS_DIR: ASSETS_DIR,
    NGINX_ERROR_PAGES_DIR: join(NGINX_DIR, 'html'),
    NGINX_STATE_DIR: join(prefix, 'state'),
    // Tests and the benchmark send hundreds of requests a second from one address.
    NGINX_RATE_LIMIT: '10000r/s',
    NGINX_RATE_BURST: '10000',
    NGINX_PID_FILE: join(prefix, 'nginx.pid'),
    ...overrides,
  };
  const scriptEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env };
  const confDir = join(conf, 'conf.d');
  await run(join(NGINX_DIR, 'render.sh'), [join(NGINX_DIR, 'templates'), confDir], {
    env: scriptEnv,
  });
  await run(join(NGINX_DIR, 'certbot', 'self-signed.sh'), [], { env: scriptEnv });
  return {
    prefix,
    confFile: join(conf, 'nginx.conf'),
    confDir,
    pidFile: env.NGINX_PID_FILE!,
    httpPort,
    httpsPort,
    env,
  };
}

/** nginx's own JSON access-log line. */
export type NginxLogLine = Record<string, unknown> & { requestId: string; uri: string };

export interface Nginx {
  child: ChildProcess;
  /** Parsed JSON access-log lines so far (stdout). */
  accessLog: () => NginxLogLine[];
  /** The error log so far (stderr). */
  stderr: () => string;
  /** SIGHUP: new workers with the current files, old ones finish their requests. */
  reload: () => void;
  /** SIGQUIT: graceful, open requests are finished first. */
  stop: () => Promise<void>;
  /** SIGTERM unless it has exited already: the master stops its workers too (SIGKILL would leave them running). */
  kill: () => Promise<void>;
}

/**
 * Starts nginx in the foreground with the rendered config; resolves once
 * it listens on `ports` (default: the rendered http and https ports).
 */
export async function spawnNginx(
  setup: NginxSetup,
  nginxBin = NGINX_BIN,
  ports = [setup.httpPort, setup.httpsPort],
): Promise<Nginx> {
  // nginx opens /dev/stdout by path, which fails on the socket pair Node
  // uses for a piped stdout (ENXIO); a file works, as a pipe does under a
  // container runtime.
  const logFile = join(setup.prefix, 'stdout.log');
  const stdoutFd = openSync(logFile, 'a');
  const child = spawn(
    nginxBin,
    ['-p', setup.prefix, '-c', setup.confFile, '-g', `daemon off; pid ${setup.pidFile};`],
    { stdio: ['ignore', stdoutFd, 'pipe'] },
  );
  closeSync(stdoutFd);
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = once(child, 'exit');
  const running = () => child.exitCode === null && child.signalCode === null;
  const nginx: Nginx = {
    child,
    accessLog: () =>
      readFileSync(logFile, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as NginxLogLine),
    stderr: () => stderr,
    reload: () => child.kill('SIGHUP'),
    stop: async () => {
      if (!running()) return;
      child.kill('SIGQUIT');
      await exited;
    },
    kill: async () => {
      if (!running()) return;
      child.kill('SIGTERM');
      await exited;
    },
  };
  try {
    for (const port of ports) await waitForPort(port, child, () => stderr);
  } catch (error) {
    await nginx.kill();
    throw error;
  }
  return nginx;
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string) {
  const until = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited: ${stderr()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
        .once('connect', () => resolve(true))
        .once('error', () => resolve(false));
      socket.unref();
      socket.once('connect', () => socket.destroy());
    });
    if (open) return;
    if (Date.now() > until) throw new Error(`nginx not listening on ${port}: ${stderr()}`);
    await sleep(50);
  }
}
