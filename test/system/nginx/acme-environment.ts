/**
 * Certificates from a real ACME server for the nginx tests and the soak (issue #20): pebble
 * (Let's Encrypt's test CA) with pebble-challtestsrv as its DNS, the certificate nginx serves,
 * and a browser-like load that tells a dropped request from a connection closed while idle.
 * Free of node:test: the caller passes its clean-ups' `defer` (node:test's `after`, or the
 * soak's scope).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import { Client, request } from 'undici';
import { freePort, NGINX_DIR, type NginxSetup, run, SERVER_NAME } from './environment.ts';

export type Defer = (cleanup: () => unknown) => void;

/** The programs this needs, by name (as `requireTools` resolves them). */
export type AcmeTools = Record<'pebble' | 'pebble-challtestsrv' | 'openssl', string>;

/** Starts a program; resolves once a line of its output matches `ready`. */
async function startDaemon(defer: Defer, command: string, args: string[], ready: RegExp, env = {}) {
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  defer(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} not ready:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${command} exited (${code}):\n${output}`)));
  });
  return { child: child as ChildProcess, output: () => output };
}

export interface Pebble {
  directory: string;
  /** The listener's self-signed certificate: certbot and this test trust it. */
  listenerCert: string;
  /** pebble's root CA (generated per run), from its management API. */
  root: () => Promise<string>;
}

/**
 * pebble and pebble-challtestsrv (`paths`), with their files in `dir`, stopped by the clean-ups
 * given to `defer`.
 */
export async function startPebble(
  httpPort: number,
  { paths, dir, defer }: { paths: AcmeTools; dir: string; defer: Defer },
): Promise<Pebble> {
  const listenerCert = join(dir, 'listener.pem');
  const listenerKey = join(dir, 'listener.key');
  await run(paths.openssl, [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=localhost',
    '-addext',
    'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout',
    listenerKey,
    '-out',
    listenerCert,
  ]);
  const [dnsPort, challManagement, acmePort, managementPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  // Every A query answered 127.0.0.1; its own challenge servers off (nginx answers http-01).
  await startDaemon(
    defer,
    paths['pebble-challtestsrv'],
    [
      '-defaultIPv4',
      '127.0.0.1',
      '-defaultIPv6',
      '',
      '-dns01',
      `127.0.0.1:${dnsPort}`,
      '-http01',
      '',
      '-https01',
      '',
      '-tlsalpn01',
      '',
      '-management',
      `127.0.0.1:${challManagement}`,
    ],
    /Starting management server/,
  );
  const config = join(dir, 'pebble.json');
  await writeFile(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${managementPort}`,
        certificate: listenerCert,
        privateKey: listenerKey,
        httpPort,
        tlsPort: await freePort(),
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  );
  await startDaemon(
    defer,
    paths.pebble,
    ['-config', config, '-dnsserver', `127.0.0.1:${dnsPort}`],
    /ACME directory available/,
    // No random validation delays, no random nonce rejections: a deterministic CA.
    { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
  );
  const ca = await readFile(listenerCert, 'utf8');
  return {
    directory: `https://127.0.0.1:${acmePort}/dir`,
    listenerCert,
    root: async () => {
      const { Agent } = await import('undici');
      const dispatcher = new Agent({ connect: { ca } });
      try {
        const response = await request(`https://127.0.0.1:${managementPort}/roots/0`, {
          dispatcher,
        });
        assert.equal(response.statusCode, 200);
        return await response.body.text();
      } finally {
        await dispatcher.close();
      }
    },
  };
}

/** The serial number of the certificate nginx presents, verified against `ca`. */
export async function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: SERVER_NAME, ca }, () => {
      resolve(socket.getPeerCertificate().serialNumber.toUpperCase());
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

export async function lineageSerial(configDir: string): Promise<string> {
  const pem = await readFile(join(configDir, 'live', SERVER_NAME, 'cert.pem'), 'utf8');
  return new X509Certificate(pem).serialNumber.toUpperCase();
}

/** Polls until nginx presents the certificate with `serial` (a reload takes a moment). */
export async function waitForSerial(port: number, ca: string, serial: string): Promise<void> {
  const until = Date.now() + 15_000;
  for (;;) {
    const last = await servedSerial(port, ca).catch((error: Error) => error.message);
    if (last === serial) return;
    if (Date.now() > until) throw new Error(`nginx still presents ${last}, not ${serial}`);
    await sleep(100);
  }
}

export interface BrowserLikeLoad {
  statuses: Record<number, number>;
  /** Requests that got no answer, even after the one retry. */
  failures: string[];
  /** Requests retried once on a new connection after nginx closed a kept-alive one. */
  retried: number;
  sent: number;
}

/**
 * Keep-alive GETs on `connections` connections until `signal`. A request
 * whose connection was closed before any byte of its response came back
 * (undici rejects `request()` with ECONNRESET or "other side closed") is
 * retried once on a new connection; any other error, or one while a
 * response is being read, is a failure.
 *
 * Why that retry is not a dropped request: on reload the old workers close
 * their idle keep-alive connections (https://nginx.org/en/docs/control.html).
 * A client may send its next request on such a connection at the very moment
 * it is closed; the request then lands on a closed socket and nginx never
 * reads it (the caller checks that: no such request appears in nginx's
 * access log). No server can avoid this race when it closes an idle
 * persistent connection, which is why HTTP/1.1 lets clients retry an
 * idempotent request after a connection closed before its response
 * (RFC 9112 §9.3.1, https://www.rfc-editor.org/rfc/rfc9112#section-9.3.1)
 * and browsers do so for a reused connection; HTTP/2 makes the same case
 * explicit with GOAWAY's last stream id (RFC 9113 §6.8).
 */
export async function browserLikeLoad(
  url: string,
  connections: number,
  connect: { ca: string; servername: string },
  signal: AbortSignal,
): Promise<BrowserLikeLoad> {
  const { origin, pathname } = new URL(url);
  const result: BrowserLikeLoad = { statuses: {}, failures: [], retried: 0, sent: 0 };
  const deadline = Date.now() + 60_000;
  async function connection() {
    let client = new Client(origin, { connect });
    /** Resolves false when the connection closed before any response byte (retryable). */
    const once = async (): Promise<boolean> => {
      let response;
      try {
        response = await client.request({ path: pathname, method: 'GET' });
      } catch (error) {
        const code = (error as { code?: string }).code ?? String(error);
        if (code === 'UND_ERR_SOCKET' || code === 'ECONNRESET') return false;
        throw error;
      }
      await response.body.dump();
      result.statuses[response.statusCode] = (result.statuses[response.statusCode] ?? 0) + 1;
      return true;
    };
    const reason = (error: unknown) =>
      (error as { code?: string }).code ?? (error as Error).message ?? String(error);
    while (!signal.aborted && Date.now() < deadline && result.sent < 200_000) {
      result.sent++;
      try {
        if (await once()) continue;
        result.retried++;
        await client.close().catch(() => {});
        client = new Client(origin, { connect });
        if (!(await once())) result.failures.push('closed again before a response');
      } catch (error) {
        result.failures.push(reason(error));
      }
    }
    await client.close().catch(() => {});
  }
  await Promise.all(Array.from({ length: connections }, connection));
  return result;
}

/** certbot's directories (as arguments) and environment, for nginx/certbot's scripts. */
export interface Certbot {
  args: string[];
  env: Record<string, string>;
  configDir: string;
  logsDir: string;
}

export function certbotFor(setup: NginxSetup, pebble: Pebble, dir: string): Certbot {
  const configDir = join(dir, 'config');
  const logsDir = join(dir, 'logs');
  return {
    args: [
      '--server',
      pebble.directory,
      '--config-dir',
      configDir,
      '--work-dir',
      join(dir, 'work'),
      '--logs-dir',
      logsDir,
    ],
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      ...setup.env,
      // certbot (python requests) must trust pebble's listener.
      REQUESTS_CA_BUNDLE: pebble.listenerCert,
    },
    configDir,
    logsDir,
  };
}

/** nginx/certbot/issue.sh: the first certificate over http-01, installed, nginx reloaded. */
export async function issueCertificate(certbot: Certbot): Promise<void> {
  await run(join(NGINX_DIR, 'certbot', 'issue.sh'), certbot.args, {
    env: certbot.env,
    timeout: 120_000,
  });
}

export interface RenewalUnderLoad {
  load: BrowserLikeLoad;
  before: string;
  renewed: string;
}

/**
 * A forced renewal through nginx/certbot/renew.sh (its deploy hook reloads nginx) while
 * `connections` browser-like clients read `path`; resolves once nginx serves the new
 * certificate and the old workers have had a second to leave.
 */
export async function renewUnderLoad(
  setup: NginxSetup,
  certbot: Certbot,
  root: string,
  { connections, path }: { connections: number; path: string },
): Promise<RenewalUnderLoad> {
  const before = await lineageSerial(certbot.configDir);
  const stop = new AbortController();
  const load = browserLikeLoad(
    `https://127.0.0.1:${setup.httpsPort}${path}`,
    connections,
    { ca: root, servername: SERVER_NAME },
    stop.signal,
  );
  let renewed: string;
  try {
    await sleep(500);
    // certbot renew sleeps up to 8 min when run without a terminal (spreading load on Let's
    // Encrypt); not here.
    await run(
      join(NGINX_DIR, 'certbot', 'renew.sh'),
      ['--force-renewal', '--no-random-sleep-on-renew', ...certbot.args],
      { env: certbot.env, timeout: 60_000 },
    ).catch(async (error: Error) => {
      const log = await readFile(join(certbot.logsDir, 'letsencrypt.log'), 'utf8');
      throw new Error(`${error.message}\ncertbot's log ends:\n${log.slice(-4000)}`);
    });
    renewed = await lineageSerial(certbot.configDir);
    assert.notEqual(renewed, before, 'certbot issued a new certificate');
    await waitForSerial(setup.httpsPort, root, renewed);
    await sleep(1000); // keep the load on across the old workers' exit
  } finally {
    stop.abort();
  }
  return { load: await load, before, renewed };
}
