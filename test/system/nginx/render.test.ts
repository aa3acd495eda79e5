/**
 * nginx/render.sh: the envsubst templates become a configuration nginx
 * accepts; only the listed NGINX_* variables are replaced; a missing or
 * malformed variable stops it with a message naming the variable.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../helpers/posts-dir.ts';
import { requireTools } from '../../helpers/require-tool.ts';
import { NGINX_DIR, renderNginx, run } from './harness.ts';

const tools = requireTools(['nginx', 'envsubst'] as const, 'apt-get install nginx gettext-base');
const RENDER = join(NGINX_DIR, 'render.sh');
const TEMPLATES = join(NGINX_DIR, 'templates');

const REQUIRED = { NGINX_SERVER_NAME: 'blog.example', NGINX_UPSTREAM: '127.0.0.1:3000' };

async function render(env: Record<string, string>) {
  const out = join(await tempDir('quire-nginx-render-'), 'conf.d');
  const result = await run(RENDER, [TEMPLATES, out], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  }).then(
    () => ({ code: 0, stderr: '' }),
    (error: { code: number; stderr: string }) => error,
  );
  return { ...result, out };
}

describe('nginx/render.sh', { skip: tools.skip }, () => {
  it('writes one conf.d file per template that nginx -t accepts, nginx’s own variables intact', async () => {
    const setup = await renderNginx('127.0.0.1:3000');
    const confD = join(setup.prefix, 'conf', 'conf.d');
    assert.deepEqual((await readdir(confD)).sort(), [
      '10-http.conf',
      '20-http-redirect.conf',
      '30-https.conf',
    ]);
    const all = (
      await Promise.all((await readdir(confD)).map((name) => readFile(join(confD, name), 'utf8')))
    ).join('\n');
    assert.doesNotMatch(all, /\$\{NGINX_[A-Z_]+\}/, 'every listed variable replaced');
    for (const own of ['$request_id', '$host', '$request_uri', '$remote_addr', '$scheme']) {
      assert.ok(all.includes(own), `${own} survives`);
    }
    assert.ok(all.includes(`server 127.0.0.1:3000 max_fails=0;`));
    // stdout to /dev/null: nginx opens /dev/stdout (the access log) by path,
    // which fails on the socket a piped stdout would be.
    const check = spawnSync(
      tools.paths!.nginx,
      ['-t', '-p', setup.prefix, '-c', setup.confFile, '-g', `pid ${setup.pidFile};`],
      { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
    );
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stderr, /test is successful/);
  });

  it('gives the upstream one server per comma-separated address (replicas), which nginx -t accepts', async () => {
    const setup = await renderNginx('127.0.0.1:3001,127.0.0.1:3002');
    const http = await readFile(join(setup.confDir, '10-http.conf'), 'utf8');
    assert.match(
      http,
      /upstream quire_app \{\n {4}server 127\.0\.0\.1:3001 max_fails=0;\n {4}server 127\.0\.0\.1:3002 max_fails=0;\n/,
    );
    const check = spawnSync(
      tools.paths!.nginx,
      ['-t', '-p', setup.prefix, '-c', setup.confFile, '-g', `pid ${setup.pidFile};`],
      { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
    );
    assert.equal(check.status, 0, check.stderr);
  });

  it('leaves other environment variables alone', async () => {
    const { code, out } = await render({ ...REQUIRED, host: 'evil', request_id: 'evil' });
    assert.equal(code, 0);
    const https = await readFile(join(out, '20-http-redirect.conf'), 'utf8');
    assert.match(https, /return 301 https:\/\/\$host\$quire_https_port_suffix\$request_uri;/);
  });

  it('names a missing required variable and writes nothing', async () => {
    for (const name of Object.keys(REQUIRED)) {
      const env: Record<string, string> = { ...REQUIRED };
      delete env[name];
      const { code, stderr, out } = await render(env);
      assert.equal(code, 1);
      assert.equal(stderr.trim(), `nginx/render.sh: ${name} must be set (see nginx/README.md)`);
      assert.equal(existsSync(out), false, 'nothing written');
    }
  });

  it('names a malformed variable and what it must look like', async () => {
    const cases: [string, string, RegExp][] = [
      [
        'NGINX_UPSTREAM',
        'localhost',
        /NGINX_UPSTREAM must be host:port or unix:\/path, or several separated by commas \(got "localhost"\)/,
      ],
      ...['127.0.0.1:3000,', '127.0.0.1:3000,,127.0.0.1:3001', 'a:1,b'].map(
        (value): [string, string, RegExp] => [
          'NGINX_UPSTREAM',
          value,
          /NGINX_UPSTREAM must be host:port or unix:\/path, or several separated by commas/,
        ],
      ),
      ['NGINX_SERVER_NAME', 'blog example', /NGINX_SERVER_NAME must be one word/],
      ['NGINX_SERVER_NAME', 'a;b', /NGINX_SERVER_NAME must be one word .*';'/],
      [
        'NGINX_HTTPS_LISTEN',
        'https',
        /NGINX_HTTPS_LISTEN must be a port or address:port \(got "https"\)/,
      ],
      ['NGINX_MICROCACHE', 'yes', /NGINX_MICROCACHE must be on or off \(got "yes"\)/],
      ['NGINX_RATE_LIMIT', '20', /NGINX_RATE_LIMIT must look like 20r\/s or 600r\/m \(got "20"\)/],
      ['NGINX_RATE_BURST', 'lots', /NGINX_RATE_BURST must be a whole number \(got "lots"\)/],
      [
        'NGINX_TLS_CERT',
        'tls/cert.pem',
        /NGINX_TLS_CERT must be an absolute path \(got "tls\/cert.pem"\)/,
      ],
      ['NGINX_STATE_DIR', '/var/$x', /NGINX_STATE_DIR must be one word .*'\$'/],
    ];
    for (const [name, value, message] of cases) {
      const { code, stderr, out } = await render({ ...REQUIRED, [name]: value });
      assert.equal(code, 1, `${name}=${value}`);
      assert.match(stderr, message);
      assert.equal(existsSync(out), false, 'nothing written');
    }
  });
});
