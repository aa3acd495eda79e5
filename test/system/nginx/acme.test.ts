/**
 * Certificates from a real ACME server: pebble (Let's Encrypt's test CA),
 * with pebble-challtestsrv as its DNS answering 127.0.0.1 for every name, and
 * pebble's http-01 port set to nginx's http port. certbot --webroot gets a
 * certificate through nginx/certbot/issue.sh, the deploy hook installs it and
 * reloads nginx; then a forced renewal under steady load must swap the
 * served certificate without a single failed request.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import { Client, request } from 'undici';
import { tempDir } from '../../helpers/posts-dir.ts';
import { freePort } from '../../helpers/server-process.ts';
import { requireTools } from '../../helpers/require-tool.ts';
import {
  NGINX_DIR,
  type NginxSetup,
  renderNginx,
  run,
  SERVER_NAME,
  startApp,
  startNginx,
} from './harness.ts';

const tools = requireTools(
  ['nginx', 'certbot', 'pebble', 'pebble-challtestsrv', 'curl', 'openssl', 'envsubst'] as const,
  'apt-get install nginx certbot pebble curl openssl gettext-base',
);

/** Starts a program; resolves once a line of its output matches `ready`. */
async function startDaemon(command: string, args: string[], ready: RegExp, env = {}) {
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  after(async () => {
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

interface Pebble {
  directory: string;
  /** The listener's self-signed certificate: certbot and this test trust it. */
  listenerCert: string;
  /** pebble's root CA (generated per run), from its management API. */
  root: () => Promise<string>;
}

async function startPebble(httpPort: number): Promise<Pebble> {
  const dir = await tempDir('quire-nginx-pebble-');
  const listenerCert = join(dir, 'listener.pem');
  const listenerKey = join(dir, 'listener.key');
  await run(tools.paths!.openssl, [
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
    tools.paths!['pebble-challtestsrv'],
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
    tools.paths!.pebble,
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
async function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, servername: SERVER_NAME, ca }, () => {
      resolve(socket.getPeerCertificate().serialNumber.toUpperCase());
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

async function lineageSerial(configDir: string): Promise<string> {
  const pem = await readFile(join(configDir, 'live', SERVER_NAME, 'cert.pem'), 'utf8');
  return new X509Certificate(pem).serialNumber.toUpperCase();
}

/** Polls until nginx presents the certificate with `serial` (a reload takes a moment). */
async function waitForSerial(port: number, ca: string, serial: string): Promise<void> {
  const until = Date.now() + 15_000;
  for (;;) {
    const last = await servedSerial(port, ca).catch((error: Error) => error.message);
    if (last === serial) return;
    if (Date.now() > until) throw new Error(`nginx still presents ${last}, not ${serial}`);
    await sleep(100);
  }
}

interface BrowserLikeLoad {
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
async function browserLikeLoad(
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

// Started at the top level, so their `after()` clean-ups run when the file ends.
const setup: NginxSetup = tools.skip
  ? (undefined as never)
  : await renderNginx((await startApp()).upstream);
const nginx = tools.skip ? (undefined as never) : await startNginx(setup, tools.paths!.nginx);
const pebble = tools.skip ? (undefined as never) : await startPebble(setup.httpPort);
const certbotDir = tools.skip ? '' : await tempDir('quire-nginx-certbot-');

describe(
  'certificates from a real ACME server (pebble) through certbot',
  { skip: tools.skip },
  () => {
    let certbotDirs: string[];
    let certbotEnv: Record<string, string>;
    let root: string;

    it('issues a certificate over http-01 that nginx then serves, verified against pebble’s root', async () => {
      const selfSigned = new X509Certificate(await readFile(setup.env.NGINX_TLS_CERT!));
      assert.equal(selfSigned.issuer, selfSigned.subject, 'first boot: a self-signed certificate');

      certbotDirs = [
        '--server',
        pebble.directory,
        '--config-dir',
        join(certbotDir, 'config'),
        '--work-dir',
        join(certbotDir, 'work'),
        '--logs-dir',
        join(certbotDir, 'logs'),
      ];
      certbotEnv = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        ...setup.env,
        // certbot (python requests) must trust pebble's listener.
        REQUESTS_CA_BUNDLE: pebble.listenerCert,
      };
      await run(join(NGINX_DIR, 'certbot', 'issue.sh'), certbotDirs, {
        env: certbotEnv,
        timeout: 120_000,
      });

      root = await pebble.root();
      const serial = await lineageSerial(join(certbotDir, 'config'));
      await waitForSerial(setup.httpsPort, root, serial);

      // curl checks the whole chain nginx sends against pebble's root alone.
      const rootFile = join(certbotDir, 'pebble-root.pem');
      await writeFile(rootFile, root);
      const { stdout } = await run(tools.paths!.curl, [
        '--silent',
        '--show-error',
        '--cacert',
        rootFile,
        '--resolve',
        `${SERVER_NAME}:${setup.httpsPort}:127.0.0.1`,
        '--write-out',
        '%{http_code} %{ssl_verify_result}',
        '--output',
        '/dev/null',
        `https://${SERVER_NAME}:${setup.httpsPort}/`,
      ]);
      assert.equal(stdout, '200 0');
    });

    it('renews with the deploy hook while under load: a new serial, no failed request', async (t) => {
      assert.ok(root, 'needs the issued certificate of the previous test');
      const configDir = certbotDirs[certbotDirs.indexOf('--config-dir') + 1]!;
      const before = await lineageSerial(configDir);

      const stop = new AbortController();
      const load = browserLikeLoad(
        `https://127.0.0.1:${setup.httpsPort}/posts/hello`,
        8,
        { ca: root, servername: SERVER_NAME },
        stop.signal,
      );
      let renewed: string;
      try {
        await sleep(500);
        await run(
          join(NGINX_DIR, 'certbot', 'renew.sh'), // certbot renew sleeps up to 8 min when run without a terminal (spreading
          // load on Let's Encrypt); not in a test.
          ['--force-renewal', '--no-random-sleep-on-renew', ...certbotDirs],
          {
            env: certbotEnv,
            timeout: 60_000,
          },
        ).catch(async (error: Error) => {
          const log = await readFile(join(certbotDir, 'logs', 'letsencrypt.log'), 'utf8');
          throw new Error(`${error.message}\ncertbot's log ends:\n${log.slice(-4000)}`);
        });
        renewed = await lineageSerial(configDir);
        assert.notEqual(renewed, before, 'certbot issued a new certificate');
        await waitForSerial(setup.httpsPort, root, renewed);
        await sleep(1000); // keep the load on across the old workers' exit
      } finally {
        stop.abort();
      }
      const result = await load;

      t.diagnostic(`load: ${result.sent} requests, ${result.retried} retried after a reload`);
      assert.deepEqual(result.failures, [], 'no request failed');
      // Every request nginx read was answered, and the client got each answer:
      // the retried ones never reached nginx (see browserLikeLoad).
      const logged = nginx.accessLog().filter((line) => line.uri === '/posts/hello');
      assert.deepEqual(
        [...new Set(logged.map((line) => line.statusCode))],
        [200],
        'nginx answered every request it read with 200',
      );
      assert.equal(logged.length, result.statuses[200], 'nginx logged as many as were answered');
      // Each connection loses at most its one in-flight request per reload
      // (two reloads at most: renewal and, rarely, a second deploy).
      assert.ok(result.retried <= 8 * 2, `retried ${result.retried}`);
      assert.deepEqual(Object.keys(result.statuses), ['200']);
      assert.ok(result.sent > 100, `the load ran throughout (${result.sent} requests)`);
    });
  },
);
