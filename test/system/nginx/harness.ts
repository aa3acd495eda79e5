/**
 * Runs the project's real nginx configuration (nginx/) for tests: rendered
 * by nginx/render.sh into a temporary prefix, listening on loopback
 * ephemeral ports, with pid, temp files, cache and certificates under that
 * prefix, so it runs beside any other nginx and never touches /etc/nginx.
 * In front of it, the real app in cluster mode (WORKERS=2).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { tempDir, writePosts } from '../../helpers/posts-dir.ts';
import { freePort, type ServerProcess, startServer } from '../../helpers/server-process.ts';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const NGINX_DIR = join(ROOT, 'nginx');
export const ASSETS_DIR = join(ROOT, 'templates', 'assets');
/** The certificate's name; every test request uses it for Host and SNI. */
export const SERVER_NAME = 'quire.test';

export const run = promisify(execFile);

/** The real app, clustered, trusting forwarded headers from loopback (nginx) only. */
export async function startApp(): Promise<{ app: ServerProcess; upstream: string }> {
  const dir = await tempDir('quire-nginx-app-');
  const postsDir = join(dir, 'posts');
  await mkdir(postsDir);
  await writePosts(postsDir, {
    'hello.md': {
      title: 'Hello',
      body: 'Hello from behind nginx.\n\n' + 'Lorem ipsum. '.repeat(200),
    },
    'second.md': { title: 'Second', date: '2026-01-02' },
    'third.md': { title: 'Third', date: '2026-01-03' },
  });
  const app = startServer({
    WORKERS: '2',
    POSTS_DIR: postsDir,
    CACHE_DIR: join(dir, 'cache'),
    TEST_ROUTES: 'true',
    TRUST_PROXY: '127.0.0.1',
    SITE_URL: `https://${SERVER_NAME}`,
  });
  const url = await Promise.race([
    app.listening,
    app.exited.then((code) => {
      throw new Error(`app exited (${code}): ${app.stderr()}`);
    }),
  ]);
  return { app, upstream: new URL(url).host };
}

export interface NginxSetup {
  prefix: string;
  confFile: string;
  pidFile: string;
  httpPort: number;
  httpsPort: number;
  /** The NGINX_* variables the config was rendered with (the certbot scripts read them too). */
  env: Record<string, string>;
}

/** Renders nginx/ into a fresh prefix, with a temporary self-signed certificate. */
export async function renderNginx(
  upstream: string,
  overrides: Record<string, string> = {},
): Promise<NginxSetup> {
  const prefix = await tempDir('quire-nginx-');
  // nginx's workers run as nobody when the tests run as root: they must be
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
  await run(join(NGINX_DIR, 'render.sh'), [join(NGINX_DIR, 'templates'), join(conf, 'conf.d')], {
    env: scriptEnv,
  });
  await run(join(NGINX_DIR, 'certbot', 'self-signed.sh'), [], { env: scriptEnv });
  return {
    prefix,
    confFile: join(conf, 'nginx.conf'),
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
  stderr: () => string;
  /** SIGHUP: new workers with the current files, old ones finish their requests. */
  reload: () => void;
  stop: () => Promise<void>;
}

/** Starts `/usr/sbin/nginx` in the foreground with the rendered config. */
export async function startNginx(setup: NginxSetup, nginxBin = '/usr/sbin/nginx'): Promise<Nginx> {
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
  // SIGTERM, not SIGKILL: a killed master leaves its workers running (and
  // holding the ports and this process's pipes); on SIGTERM it stops them.
  after(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const accessLog = () =>
    readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as NginxLogLine);
  for (const port of [setup.httpPort, setup.httpsPort])
    await waitForPort(port, child, () => stderr);
  return {
    child,
    accessLog,
    stderr: () => stderr,
    reload: () => child.kill('SIGHUP'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGQUIT');
      await once(child, 'exit');
    },
  };
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

/** An undici dispatcher for https://127.0.0.1:port that trusts `ca` for SERVER_NAME. */
export function httpsAgent(ca: string | Buffer, options: Agent.Options = {}): Agent {
  const agent = new Agent({ connect: { ca, servername: SERVER_NAME }, ...options });
  after(() => agent.close());
  return agent;
}

export interface Answer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One request to nginx as `SERVER_NAME`, the body read as text. */
export async function get(
  url: string,
  dispatcher: Agent | undefined,
  options: {
    method?: 'GET' | 'POST' | 'HEAD';
    headers?: Record<string, string>;
    body?: Buffer;
  } = {},
): Promise<Answer> {
  const response = await request(url, {
    dispatcher,
    method: options.method ?? 'GET',
    headers: { host: SERVER_NAME, ...options.headers },
    body: options.body,
  });
  const body = await response.body.text();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return { status: response.statusCode, headers, body };
}

export async function readCert(setup: NginxSetup): Promise<string> {
  return readFile(setup.env.NGINX_TLS_CERT!, 'utf8');
}
