/**
 * The stack a soak case runs against (issue #20): the app in cluster mode (WORKERS=2) on a
 * loopback port, and the project's nginx config (test/system/nginx/environment.ts, as the system
 * tests and `npm run bench:nginx` run it) in front of it over HTTPS. Processes are started with
 * bench/measure.ts (stdout to files, own process group, `killAll()` on the way out), so the same
 * module serves `npm run soak` and the system tests.
 *
 * The site: a few posts with tags (enough for a second page), one large post (the page slow
 * readers never read), and a canary file beside posts/ that no answer may ever contain.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { Agent } from 'undici';
import { postSource } from '../../test/helpers/posts-dir.ts';
import {
  type Nginx,
  renderNginxIn,
  ROOT,
  SERVER_NAME,
  spawnNginx,
} from '../../test/system/nginx/environment.ts';
import {
  freePort,
  killAll,
  type ServerProcess,
  startServer,
  stopServer,
  waitForLogLines,
  waitForOk,
} from '../measure.ts';
import type { OwnStack, SoakTarget, StackOptions } from './case.ts';

/** The page ordinary traffic reads, and the one slow readers never read. */
export const ORDINARY_PATH = '/posts/ordinary';
export const LARGE_PATH = '/posts/large';
/** Posts beyond PAGE_SIZE (10), so /page/2 exists. */
const POST_COUNT = 14;

export interface Stack extends OwnStack {
  /** Strings no answer may contain: the canary beside posts/, and files beside templates/. */
  secrets: string[];
}

export interface StartStackOptions extends StackOptions {
  /** The server's entry point relative to the repository: dist/server.js (bench) or src/server.ts (tests). */
  server: string;
}

async function writeSite(dir: string): Promise<{ postsDir: string; canary: string }> {
  const postsDir = join(dir, 'posts');
  await mkdir(postsDir, { recursive: true });
  const paragraph = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(20);
  const posts: Record<string, string> = {
    'ordinary.md': postSource({ title: 'Ordinary', extra: 'tags: [soak]', body: paragraph }),
    // About 1 MB of HTML: more than the socket buffers hold, so a reader that never reads
    // leaves the server with a response it cannot finish writing.
    'large.md': postSource({
      title: 'Large',
      extra: 'tags: [soak, large]',
      body: Array.from({ length: 2000 }, (_, i) => `Paragraph ${i}. ${paragraph}`).join('\n\n'),
    }),
  };
  for (let i = 0; i < POST_COUNT; i++) {
    const day = String((i % 28) + 1).padStart(2, '0');
    posts[`post-${i}.md`] = postSource({
      title: `Post ${i}`,
      date: `2026-02-${day}`,
      extra: `tags: [soak, tag-${i % 3}]`,
      body: `Post ${i}. ${paragraph}`,
    });
  }
  await Promise.all(
    Object.entries(posts).map(([name, text]) => writeFile(join(postsDir, name), text)),
  );
  const canary = `quire-soak-canary-${randomBytes(12).toString('hex')}`;
  await writeFile(join(dir, 'secret.txt'), `${canary}\n`);
  return { postsDir, canary };
}

const isListening = (line: Record<string, unknown>) =>
  typeof line.msg === 'string' && line.msg.startsWith('Server listening at');

/** nginx masters still running, for `killStacks()` (they lead no process group of ours). */
const nginxRunning = new Set<Nginx>();

/** Synchronous, for `process.on('exit')`: every app (bench/measure.ts) and nginx still running. */
export function killStacks(): void {
  killAll();
  for (const nginx of nginxRunning) nginx.child.kill('SIGTERM');
}

/** Starts app + nginx; `stop()` ends both and removes the temporary directory. */
export async function startStack(options: StartStackOptions): Promise<Stack> {
  const dir = await mkdtemp(join(tmpdir(), 'quire-soak-'));
  // nginx's workers run as nobody when this runs as root: they must reach its prefix inside.
  await chmod(dir, 0o755);
  const started: { app?: ServerProcess; nginx?: Nginx; agent?: Agent } = {};
  const stop = async () => {
    await started.agent?.close().catch(() => {});
    if (started.nginx) {
      await started.nginx.kill();
      nginxRunning.delete(started.nginx);
    }
    if (started.app) await stopServer(started.app, 5000);
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  };
  try {
    const { postsDir, canary } = await writeSite(dir);
    const cacheDir = join(dir, 'cache');
    const port = await freePort();
    const app = startServer({
      name: 'quire-soak',
      args: [options.server],
      cwd: ROOT,
      port,
      logDir: dir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        METRICS_PORT: String(await freePort()),
        WORKERS: '2',
        POSTS_DIR: postsDir,
        CACHE_DIR: cacheDir,
        // Production's level: every request logs its line, as it would in service.
        LOG_LEVEL: 'info',
        TRUST_PROXY: '127.0.0.1',
        SITE_URL: `https://${SERVER_NAME}`,
        SECURITY_HEADERS: 'proxy',
        SHUTDOWN_DELAY_MS: '0',
        SHUTDOWN_TIMEOUT_MS: '5000',
        ...options.env,
      },
    });
    started.app = app;
    await waitForOk(app, '/readyz', performance.now(), 120_000);
    // The first worker up answers /readyz before the second listens.
    await waitForLogLines(app, isListening, 2, 30_000);
    const prefix = join(dir, 'nginx');
    await mkdir(prefix);
    const setup = await renderNginxIn(prefix, `127.0.0.1:${port}`, {
      // One client address sends thousands of requests a second here.
      NGINX_RATE_LIMIT: '1000000r/s',
      NGINX_RATE_BURST: '1000000',
    });
    started.nginx = await spawnNginx(setup);
    nginxRunning.add(started.nginx);
    const ca = readFileSync(setup.env.NGINX_TLS_CERT!);
    started.agent = new Agent({ connect: { ca, servername: SERVER_NAME } });
    const direct: SoakTarget = {
      name: 'direct',
      baseUrl: `http://127.0.0.1:${port}`,
      host: `127.0.0.1:${port}`,
      connect: () => openSocket(() => netConnect(port, '127.0.0.1')),
      dispatcher: started.agent,
    };
    const nginx: SoakTarget = {
      name: 'nginx',
      baseUrl: `https://127.0.0.1:${setup.httpsPort}`,
      host: SERVER_NAME,
      connect: () =>
        openSocket(() =>
          tlsConnect({
            host: '127.0.0.1',
            port: setup.httpsPort,
            servername: SERVER_NAME,
            ca,
            ALPNProtocols: ['http/1.1'],
          }),
        ),
      dispatcher: started.agent,
    };
    const nginxProcess = started.nginx;
    return {
      targets: [direct, nginx],
      appPid: app.pid,
      appLog: () => readFileSync(app.stdoutFile, 'utf8').split('\n').filter(Boolean),
      postsDir,
      cacheDir,
      reloadNginx: () => nginxProcess.reload(),
      stop,
      secrets: [canary, ...filesBesideTheRoots()],
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * Text of files outside the roots the app and nginx serve from (posts/, templates/assets/):
 * templates/ itself, the repository beside it, the system. Each is checked to be in its file, so
 * a marker that went stale fails loudly instead of passing for ever.
 */
function filesBesideTheRoots(): string[] {
  const markers: [string, string][] = [
    [join(ROOT, 'templates', 'base.njk'), '{{ site.language }}'],
    [join(ROOT, 'package.json'), '"name": "quire"'],
    [join(ROOT, 'src', 'config.ts'), 'loadConfigOrExit'],
    ['/etc/passwd', 'root:x:0:0'],
  ];
  for (const [file, marker] of markers) {
    if (!readFileSync(file, 'utf8').includes(marker)) throw new Error(`${file} lost "${marker}"`);
  }
  return markers.map(([, marker]) => marker);
}

function openSocket(open: () => Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = open();
    const event = 'encrypted' in socket ? 'secureConnect' : 'connect';
    socket.once(event, () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}
