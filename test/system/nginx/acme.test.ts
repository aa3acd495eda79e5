/**
 * Certificates from a real ACME server: pebble (Let's Encrypt's test CA),
 * with pebble-challtestsrv as its DNS answering 127.0.0.1 for every name, and
 * pebble's http-01 port set to nginx's http port. certbot --webroot gets a
 * certificate through nginx/certbot/issue.sh, the deploy hook installs it and
 * reloads nginx; then a forced renewal under steady load must swap the
 * served certificate without a single failed request (the soak's nginx-reload
 * case runs the same renewal, acme-environment.ts).
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir } from '../../helpers/posts-dir.ts';
import { requireTools } from '../../helpers/require-tool.ts';
import {
  type Certbot,
  certbotFor,
  issueCertificate,
  lineageSerial,
  renewUnderLoad,
  startPebble,
  waitForSerial,
} from './acme-environment.ts';
import { type NginxSetup, renderNginx, run, SERVER_NAME, startApp, startNginx } from './harness.ts';

const tools = requireTools(
  ['nginx', 'certbot', 'pebble', 'pebble-challtestsrv', 'curl', 'openssl', 'envsubst'] as const,
  'apt-get install nginx certbot pebble curl openssl gettext-base',
);

// Started at the top level, so their `after()` clean-ups run when the file ends.
const setup: NginxSetup = tools.skip
  ? (undefined as never)
  : await renderNginx((await startApp()).upstream);
const nginx = tools.skip ? (undefined as never) : await startNginx(setup, tools.paths!.nginx);
const pebble = tools.skip
  ? (undefined as never)
  : await startPebble(setup.httpPort, {
      paths: tools.paths!,
      dir: await tempDir('quire-nginx-pebble-'),
      defer: after,
    });
const certbotDir = tools.skip ? '' : await tempDir('quire-nginx-certbot-');

describe(
  'certificates from a real ACME server (pebble) through certbot',
  { skip: tools.skip },
  () => {
    let certbot: Certbot;
    let root: string;

    it('issues a certificate over http-01 that nginx then serves, verified against pebble’s root', async () => {
      const selfSigned = new X509Certificate(await readFile(setup.env.NGINX_TLS_CERT!));
      assert.equal(selfSigned.issuer, selfSigned.subject, 'first boot: a self-signed certificate');

      certbot = certbotFor(setup, pebble, certbotDir);
      await issueCertificate(certbot);

      root = await pebble.root();
      const serial = await lineageSerial(certbot.configDir);
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
      const { load: result } = await renewUnderLoad(setup, certbot, root, {
        connections: 8,
        path: '/posts/hello',
      });

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
