/**
 * The production nginx config in front of the real clustered app: redirect,
 * TLS versions, HTTP/2, HSTS, request ids across both logs, size limits,
 * gzip, assets from disk, the micro-cache, rate limiting, slow clients.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { requireTools } from '../../helpers/require-tool.ts';
import type { ServerProcess } from '../../helpers/server-process.ts';
import { SECURITY_HEADERS } from '../../../src/http/security-headers.ts';
import {
  type Answer,
  ASSETS_DIR,
  get,
  httpsAgent,
  readCert,
  renderNginx,
  run,
  SERVER_NAME,
  startApp,
  startNginx,
} from './harness.ts';

const tools = requireTools(
  ['nginx', 'curl', 'openssl', 'envsubst'] as const,
  'apt-get install nginx curl openssl gettext-base',
);

// Started once for the file, at the top level so that their `after()` clean-ups
// run when the whole file is done.
const started = tools.skip ? undefined : await startApp();
const setup = started ? await renderNginx(started.upstream) : (undefined as never);
const nginx = started ? await startNginx(setup, tools.paths!.nginx) : (undefined as never);
const agent = started ? httpsAgent(await readCert(setup)) : (undefined as never);
const app = started?.app as ServerProcess;
const https = started ? `https://127.0.0.1:${setup.httpsPort}` : '';
const http = started ? `http://127.0.0.1:${setup.httpPort}` : '';

describe('nginx in front of the app', { skip: tools.skip }, () => {
  const appLines = () =>
    app.logLines().filter((line) => line.msg === 'request completed') as {
      quire: { requestId: string; route: string; remoteAddress: string };
    }[];
  // The app's asset lines only: a micro-cache background refresh of a page may land meanwhile.
  const assetLines = () => appLines().filter((line) => line.quire.route.startsWith('/assets'));

  it('redirects http to https with the path and query kept', async () => {
    const answer = await get(`${http}/posts/hello?utm=a&b=%20c`, undefined);
    assert.equal(answer.status, 301);
    assert.equal(
      answer.headers.location,
      `https://${SERVER_NAME}:${setup.httpsPort}/posts/hello?utm=a&b=%20c`,
    );
  });

  it('answers the ACME challenge path over http from the webroot, not redirected', async () => {
    const dir = join(setup.env.NGINX_ACME_WEBROOT!, '.well-known', 'acme-challenge');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'token-123'), 'token-123.key-authorization');
    const found = await get(`${http}/.well-known/acme-challenge/token-123`, undefined);
    assert.equal(found.status, 200);
    assert.equal(found.body, 'token-123.key-authorization');
    const missing = await get(`${http}/.well-known/acme-challenge/nope`, undefined);
    assert.equal(missing.status, 404, 'a missing token is a 404, not a redirect');
  });

  it('refuses TLS 1.1 and accepts TLS 1.2 and 1.3', async () => {
    const handshake = async (flag: string) => {
      // SECLEVEL=0 lets this client offer TLS 1.1 at all (OpenSSL 3 will not
      // by default), so a refusal can only come from nginx.
      const client = run(
        tools.paths!.openssl,
        [
          's_client',
          '-connect',
          `127.0.0.1:${setup.httpsPort}`,
          '-servername',
          SERVER_NAME,
          flag,
          '-cipher',
          'DEFAULT:@SECLEVEL=0',
        ],
        { timeout: 10_000 },
      );
      client.child.stdin?.end(); // s_client exits at the end of its input
      const result = await client.catch((error: { stdout: string; stderr: string }) => error);
      return result.stdout + result.stderr;
    };
    const tls11 = await handshake('-tls1_1');
    assert.match(
      tls11,
      /alert protocol version/,
      'nginx answers TLS 1.1 with a protocol_version alert',
    );
    assert.match(tls11, /Cipher is \(NONE\)/);
    assert.match(await handshake('-tls1_2'), /New, TLSv1\.2, Cipher is ECDHE-/);
    assert.match(await handshake('-tls1_3'), /New, TLSv1\.3, Cipher is TLS_/);
  });

  it('speaks HTTP/2', async () => {
    const { stdout } = await run(tools.paths!.curl, [
      '--silent',
      '--output',
      '/dev/null',
      '--write-out',
      '%{http_version}',
      '--http2',
      '--insecure',
      '--resolve',
      `${SERVER_NAME}:${setup.httpsPort}:127.0.0.1`,
      `https://${SERVER_NAME}:${setup.httpsPort}/`,
    ]);
    assert.equal(stdout, '2');
  });

  it('sends HSTS on 200, 404 and 500 responses, without the nginx version', async () => {
    for (const [path, status] of [
      ['/', 200],
      ['/posts/no-such-post', 404],
      ['/__test/error', 500],
    ] as const) {
      const answer = await get(`${https}${path}`, agent);
      assert.equal(answer.status, status, path);
      assert.equal(answer.headers['strict-transport-security'], 'max-age=63072000', path);
      assert.equal(answer.headers.server, 'nginx', 'server_tokens off');
    }
  });

  it("puts each of the app's security headers on every response exactly once", async () => {
    // This app runs with SECURITY_HEADERS=proxy, as in production: nginx's copy is what arrives.
    const direct = await get(`http://${started!.upstream}/`, undefined);
    assert.equal(direct.headers['content-security-policy'], undefined, 'the app leaves them out');
    const answers: [string, Answer][] = [];
    for (const path of ['/posts/second', '/posts/second', '/posts/none', '/__test/error']) {
      answers.push([path, await get(`${https}${path}`, agent)]);
    }
    assert.equal(answers[1]![1].headers['x-cache-status'], 'HIT', 'the second one from the cache');
    answers.push(['/assets/style.css', await get(`${https}/assets/style.css`, agent)]);
    for (const [path, answer] of answers) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        assert.equal(answer.headers[name], value, `${name} on ${path} (${answer.status})`);
      }
    }
  });

  it('replaces a client request id with its own, shared by its log line and the app’s', async () => {
    const answer = await get(`${https}/posts/hello?id-test=${Date.now()}`, agent, {
      headers: { 'x-request-id': 'chosen-by-client', 'x-forwarded-for': '6.6.6.6' },
    });
    assert.equal(answer.status, 200);
    const id = answer.headers['x-request-id']!;
    assert.match(id, /^[0-9a-f]{32}$/, 'nginx’s $request_id');
    assert.notEqual(id, 'chosen-by-client');

    await sleep(200);
    const nginxLine = nginx.accessLog().find((line) => line.requestId === id);
    assert.ok(nginxLine, 'nginx logged the id');
    assert.match(nginxLine.uri, /^\/posts\/hello\?id-test=/);
    assert.equal(nginxLine.statusCode, 200);
    const appLine = appLines().find((line) => line.quire.requestId === id);
    assert.ok(appLine, `the app logged the id: ${JSON.stringify(appLines().slice(-3))}`);
    assert.equal(appLine.quire.route, '/posts/:slug');
    // The client's X-Forwarded-For is replaced by the address nginx saw.
    assert.equal(appLine.quire.remoteAddress, '127.0.0.1');
    assert.ok(!appLines().some((line) => line.quire.requestId === 'chosen-by-client'));
  });

  it('rejects a large body with 413, a huge URL with 414 and a huge header with 400', async () => {
    const body = await get(`${https}/`, agent, {
      method: 'POST',
      body: Buffer.alloc(2 * 1024 * 1024, 'a'),
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(body.status, 413);
    const url = await get(`${https}/posts/${'a'.repeat(10_000)}`, agent);
    assert.equal(url.status, 414);
    const header = await get(`${https}/`, agent, { headers: { 'x-big': 'b'.repeat(10_000) } });
    assert.equal(header.status, 400);
    for (const answer of [body, url, header]) {
      assert.equal(answer.headers['strict-transport-security'], 'max-age=63072000');
    }
  });

  it('compresses pages and stylesheets with gzip', async () => {
    for (const path of ['/posts/hello', '/assets/style.css']) {
      const answer = await get(`${https}${path}`, agent, {
        headers: { 'accept-encoding': 'gzip' },
      });
      assert.equal(answer.status, 200, path);
      assert.equal(answer.headers['content-encoding'], 'gzip', path);
    }
  });

  it('serves assets from disk with long caching, without asking the app', async () => {
    const before = assetLines().length;
    const answer = await get(`${https}/assets/style.css`, agent);
    assert.equal(answer.status, 200);
    assert.equal(answer.body, await readFile(join(ASSETS_DIR, 'style.css'), 'utf8'));
    assert.equal(answer.headers['cache-control'], 'max-age=604800');
    assert.match(answer.headers['content-type'] ?? '', /^text\/css/);
    await sleep(200);
    assert.equal(assetLines().length, before, 'no app request for an asset');
  });

  it('serves the content-hashed names pages link to from disk, immutable for a year', async () => {
    const page = await get(`${https}/`, agent);
    const hashed = /href="(\/assets\/style\.[0-9a-f]{10}\.css)"/.exec(page.body)?.[1];
    assert.ok(hashed, 'the index links a hashed stylesheet');
    await sleep(200);
    const before = assetLines().length;
    const answer = await get(`${https}${hashed}`, agent);
    assert.equal(answer.status, 200);
    assert.equal(answer.body, await readFile(join(ASSETS_DIR, 'style.css'), 'utf8'));
    assert.equal(answer.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.equal(answer.headers['strict-transport-security'], 'max-age=63072000');
    const plain = await get(`${https}/assets/style.css`, agent);
    assert.equal(plain.headers['cache-control'], 'max-age=604800', 'plain names keep a week');
    await sleep(200);
    assert.equal(assetLines().length, before, 'no app request for an asset');
  });

  it('answers a burst for one page from the micro-cache, but not cookie-carrying requests', async () => {
    const path = `/posts/second?burst=${Date.now()}`;
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => get(`${https}${path}`, agent)),
    );
    assert.deepEqual(new Set(answers.map((answer) => answer.status)), new Set([200]));
    await sleep(200);
    const id = (line: { quire: { requestId: string } }) => line.quire.requestId;
    const reachedApp = answers.filter((answer) =>
      appLines().some((line) => id(line) === answer.headers['x-request-id']),
    );
    assert.equal(reachedApp.length, 1, 'one request filled the cache, the others waited for it');
    const hit = await get(`${https}${path}`, agent);
    assert.equal(hit.headers['x-cache-status'], 'HIT');
    assert.equal(hit.body, answers[0]!.body);
    const withCookie = await get(`${https}${path}`, agent, { headers: { cookie: 'session=1' } });
    assert.equal(withCookie.headers['x-cache-status'], 'BYPASS');
    await sleep(2100); // 1 s lifetime, counted by nginx in whole seconds
    const expired = await get(`${https}${path}`, agent);
    assert.notEqual(expired.headers['x-cache-status'], 'HIT', 'cached for one second only');
  });

  it('keeps serving normal requests while many clients send their headers slowly', async () => {
    const slow: TLSSocket[] = [];
    const ca = await readCert(setup);
    try {
      for (let i = 0; i < 300; i++) {
        const socket = tlsConnect({
          host: '127.0.0.1',
          port: setup.httpsPort,
          servername: SERVER_NAME,
          ca,
        });
        socket.on('error', () => {});
        socket.write(`GET / HTTP/1.1\r\nHost: ${SERVER_NAME}\r\n`);
        slow.push(socket);
      }
      const drip = setInterval(() => {
        for (const socket of slow) socket.write('X-Slow: 1\r\n');
      }, 500);
      try {
        for (let i = 0; i < 20; i++) {
          const answer = await get(`${https}/posts/third?n=${i}`, agent);
          assert.equal(answer.status, 200);
        }
      } finally {
        clearInterval(drip);
      }
      const open = slow.filter((socket) => !socket.destroyed && socket.readyState === 'open');
      assert.equal(open.length, slow.length, 'every slow client was still connected meanwhile');
    } finally {
      for (const socket of slow) socket.destroy();
    }
  });
});

describe('nginx rate limit in front of the app', { skip: tools.skip }, () => {
  it('answers 429 with nginx’s page (and HSTS) beyond the rate and burst', async () => {
    // An app that sends the security headers itself (the default): nginx hides its copies.
    const { upstream } = await startApp({ SECURITY_HEADERS: 'app' });
    const setup = await renderNginx(upstream, { NGINX_RATE_LIMIT: '1r/s', NGINX_RATE_BURST: '3' });
    await startNginx(setup, tools.paths!.nginx);
    const agent = httpsAgent(await readCert(setup));
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        get(`https://127.0.0.1:${setup.httpsPort}/?n=${i}`, agent),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    assert.deepEqual(statuses.slice(0, 4), [200, 200, 200, 200], 'rate + burst pass');
    const limited = answers.filter((answer) => answer.status === 429);
    assert.equal(limited.length, 6);
    assert.match(limited[0]!.body, /Too many requests/);
    assert.equal(limited[0]!.headers['strict-transport-security'], 'max-age=63072000');
    // Each security header once (a repeated one would read "v, v"), on the app's page and nginx's.
    for (const answer of [answers.find((a) => a.status === 200)!, limited[0]!]) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
        assert.equal(answer.headers[name], value, `${name} on a ${answer.status}`);
      }
    }
    // Assets are not limited.
    const css = await get(`https://127.0.0.1:${setup.httpsPort}/assets/style.css`, agent);
    assert.equal(css.status, 200);
  });
});
