/**
 * The production pair as docker-compose.prod.yml runs it (issue #7): Quire's nginx image in
 * front of the production image, sharing a network namespace (a podman pod), with the
 * letsencrypt and webroot volumes certbot would share. First boot has no certificate; a
 * certificate appearing in the letsencrypt volume (what certbot's issuance or renewal does) is
 * served after nginx reloads by itself.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { requireTools } from '../../helpers/require-tool.ts';
import { mustRun, run } from './command.ts';
import { logsOf, uniqueName } from './containers.ts';
import { ensureNginxImage, ensureProductionImage } from './images.ts';

const tools = requireTools(
  ['podman', 'buildah', 'debootstrap', 'runc', 'tar', 'openssl'],
  'apt-get install podman buildah debootstrap runc openssl; see .ci/packages/containers.txt',
);

const DOMAIN = 'blog.quire.test';

/** The certificate a TLS client sees for DOMAIN on `port`: its subject CN and fingerprint. */
function servedCertificate(port: number): Promise<{ cn: string; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({
      host: '127.0.0.1',
      port,
      servername: DOMAIN,
      rejectUnauthorized: false,
    });
    socket.once('secureConnect', () => {
      const certificate = socket.getPeerCertificate();
      socket.end();
      resolve({ cn: String(certificate.subject.CN), fingerprint: certificate.fingerprint256 });
    });
    socket.once('error', reject);
  });
}

function httpsGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        servername: DOMAIN,
        headers: { host: DOMAIN },
        rejectUnauthorized: false,
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.once('error', reject);
    request.end();
  });
}

/** A self-signed pair for DOMAIN named `cn`, as certbot's live/ directory holds it. */
async function writeCertificate(dir: string, cn: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      `subjectAltName=DNS:${DOMAIN}`,
      '-keyout',
      join(dir, 'privkey.pem'),
      '-out',
      join(dir, 'fullchain.pem'),
    ],
    { stdio: 'ignore' },
  );
}

async function volume(what: string): Promise<{ name: string; path: string }> {
  const name = uniqueName(what);
  await mustRun('podman', ['volume', 'create', name]);
  const path = (
    await mustRun('podman', ['volume', 'inspect', '--format', '{{.Mountpoint}}', name])
  ).stdout.trim();
  return { name, path };
}

describe(
  'nginx in front of the production image',
  { skip: tools.skip, timeout: 60 * 60_000 },
  () => {
    let pod: string;
    let nginx: string;
    let http: number;
    let https: number;
    let letsencrypt: { name: string; path: string };
    let webroot: { name: string; path: string };

    // Registered here, not in `before`: an `after` called inside a hook runs when the hook ends.
    after(async () => {
      if (pod) await run('podman', ['pod', 'rm', '--force', '--time', '0', pod]);
      for (const created of [letsencrypt, webroot])
        if (created) await run('podman', ['volume', 'rm', '--force', created.name]);
    });

    before(async () => {
      const [app, nginxImage] = [await ensureProductionImage(), await ensureNginxImage()];
      pod = uniqueName('pod');
      await mustRun('podman', [
        'pod',
        'create',
        '--name',
        pod,
        '--publish',
        '127.0.0.1::80',
        '--publish',
        '127.0.0.1::443',
      ]);
      letsencrypt = await volume('letsencrypt');
      webroot = await volume('webroot');

      const appName = uniqueName('app');
      await mustRun('podman', [
        'run',
        '-d',
        '--pod',
        pod,
        '--name',
        appName,
        '--read-only',
        '--tmpfs',
        '/tmp',
        app,
      ]);
      nginx = uniqueName('nginx');
      await mustRun('podman', [
        'run',
        '-d',
        '--pod',
        pod,
        '--name',
        nginx,
        '--env',
        `NGINX_SERVER_NAME=${DOMAIN}`,
        '--env',
        'NGINX_UPSTREAM=127.0.0.1:3000',
        '--env',
        'NGINX_CERTIFICATE_CHECK_SECONDS=1',
        '--volume',
        `${letsencrypt.name}:/etc/letsencrypt:ro`,
        '--volume',
        `${webroot.name}:/var/www/certbot:ro`,
        nginxImage,
      ]);
      const ports = (await mustRun('podman', ['port', nginx])).stdout;
      http = Number(/^80\/tcp -> 127\.0\.0\.1:(\d+)$/m.exec(ports)?.[1]);
      https = Number(/^443\/tcp -> 127\.0\.0\.1:(\d+)$/m.exec(ports)?.[1]);
      // Ready when nginx proxies the app's readiness over https (or the tests report the logs).
      for (let tries = 0; tries < 150; tries++) {
        if ((await httpsGet(https, '/readyz').catch(() => ({ status: 0 }))).status === 200) break;
        await sleep(100);
      }
    });

    it('boots without any certificate: a temporary self-signed one, the site served over https', async () => {
      const page = await httpsGet(https, '/');
      assert.equal(page.status, 200, await logsOf(nginx));
      assert.match(page.body, /<html/i);
      const served = await servedCertificate(https);
      assert.equal(served.cn, DOMAIN);
    });

    it('answers the ACME challenge from the shared webroot over http and redirects the rest to https', async () => {
      const token = `token-${Date.now()}`;
      await mkdir(join(webroot.path, '.well-known/acme-challenge'), { recursive: true });
      await writeFile(join(webroot.path, '.well-known/acme-challenge', token), 'key-authorization');
      const challenge = await fetch(
        `http://127.0.0.1:${http}/.well-known/acme-challenge/${token}`,
        {
          headers: { host: DOMAIN },
        },
      );
      assert.equal(challenge.status, 200);
      assert.equal(await challenge.text(), 'key-authorization');

      // undici's request, not fetch: fetch never sends a Host header of its own.
      const other = await request(`http://127.0.0.1:${http}/posts/x?y=1`, {
        headers: { host: DOMAIN },
      });
      await other.body.dump();
      assert.equal(other.statusCode, 301);
      assert.equal(other.headers.location, `https://${DOMAIN}/posts/x?y=1`);
    });

    it('serves a certificate certbot puts in /etc/letsencrypt after reloading by itself, then the renewed one', async () => {
      const live = join(letsencrypt.path, 'live', DOMAIN);
      for (const cn of ['issued', 'renewed']) {
        await writeCertificate(live, cn);
        const wanted = execFileSync(
          'openssl',
          ['x509', '-noout', '-fingerprint', '-sha256', '-in', join(live, 'fullchain.pem')],
          { encoding: 'utf8' },
        );
        let served = await servedCertificate(https);
        for (let tries = 0; served.cn !== cn && tries < 100; tries++) {
          await sleep(100);
          served = await servedCertificate(https);
        }
        assert.equal(served.cn, cn, await logsOf(nginx));
        assert.ok(wanted.includes(served.fingerprint), `${wanted} vs ${served.fingerprint}`);
        assert.equal((await httpsGet(https, '/')).status, 200);
      }
      assert.match(await logsOf(nginx), /nginx reloaded/);
    });

    it('stops with a message naming the variable when the domain is missing', async () => {
      const result = await run(
        'podman',
        ['run', '--rm', '--env', 'NGINX_UPSTREAM=127.0.0.1:3000', await ensureNginxImage()],
        { timeoutMs: 60_000 },
      );
      assert.notEqual(result.code, 0);
      assert.match(`${result.stdout}${result.stderr}`, /NGINX_SERVER_NAME: must be set.*DOMAIN/);
    });
  },
);
