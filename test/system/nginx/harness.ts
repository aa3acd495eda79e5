/**
 * The nginx environment of the system tests (environment.ts, shared with
 * `npm run bench:nginx`), with its clean-up tied to node:test's `after()`,
 * in front of the real app in cluster mode (WORKERS=2).
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after } from 'node:test';
import { Agent, request } from 'undici';
import { tempDir, writePosts } from '../../helpers/posts-dir.ts';
import { type ServerProcess, startServer } from '../../helpers/server-process.ts';
import {
  NGINX_BIN,
  type Nginx,
  type NginxSetup,
  renderNginxIn,
  SERVER_NAME,
  spawnNginx,
} from './environment.ts';

export {
  ASSETS_DIR,
  NGINX_DIR,
  type Nginx,
  type NginxLogLine,
  type NginxSetup,
  ROOT,
  run,
  SERVER_NAME,
} from './environment.ts';

/** The real app, clustered, trusting forwarded headers from loopback (nginx) only. */
/**
 * The app in cluster mode behind nginx. `SECURITY_HEADERS=proxy`, as in production
 * (docker-compose.prod.yml): nginx adds the security headers; `env` may override.
 */
export async function startApp(
  env: Record<string, string> = {},
): Promise<{ app: ServerProcess; upstream: string }> {
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
    SECURITY_HEADERS: 'proxy',
    ...env,
  });
  const url = await Promise.race([
    app.listening,
    app.exited.then((code) => {
      throw new Error(`app exited (${code}): ${app.stderr()}`);
    }),
  ]);
  return { app, upstream: new URL(url).host };
}

/** Renders nginx/ into a fresh temporary prefix, removed after the test file. */
export async function renderNginx(
  upstream: string,
  overrides: Record<string, string> = {},
): Promise<NginxSetup> {
  return renderNginxIn(await tempDir('quire-nginx-'), upstream, overrides);
}

/** Starts nginx with the rendered config; stopped (SIGTERM) after the test file. */
export async function startNginx(setup: NginxSetup, nginxBin = NGINX_BIN): Promise<Nginx> {
  const nginx = await spawnNginx(setup, nginxBin);
  after(() => nginx.kill());
  return nginx;
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
