/**
 * With the app stopped, nginx still serves what the micro-cache holds (stale)
 * and answers everything else with its own clean 502 page, HSTS included; and
 * once the app is back, nginx serves it again at once, under load (the soak's
 * app-down-behind-nginx case, issue #20, in its short mode).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { appDownBehindNginx } from '../../../bench/soak/cases/app-down-behind-nginx.ts';
import { SECURITY_HEADERS } from '../../../src/http/security-headers.ts';
import { requireTools } from '../../helpers/require-tool.ts';
import { get, httpsAgent, readCert, renderNginx, startApp, startNginx } from './harness.ts';

const tools = requireTools(['nginx', 'envsubst'] as const, 'apt-get install nginx gettext-base');

describe('nginx with the app stopped', { skip: tools.skip }, () => {
  it('serves a cached page stale and a clean 502 page for the rest', async () => {
    const { app, upstream } = await startApp();
    const setup = await renderNginx(upstream);
    await startNginx(setup, tools.paths!.nginx);
    const agent = httpsAgent(await readCert(setup));
    const https = `https://127.0.0.1:${setup.httpsPort}`;

    const fresh = await get(`${https}/posts/hello`, agent);
    assert.equal(fresh.status, 200);
    assert.equal(fresh.headers['x-cache-status'], 'MISS');

    app.child.kill('SIGTERM');
    await app.exited;
    // Past the 1-second lifetime (nginx counts whole seconds, so up to 2 s).
    await sleep(2100);

    const stale = await get(`${https}/posts/hello`, agent);
    assert.equal(stale.status, 200);
    assert.equal(stale.headers['x-cache-status'], 'STALE');
    assert.equal(stale.body, fresh.body);

    const missing = await get(`${https}/posts/second`, agent);
    assert.equal(missing.status, 502);
    assert.match(missing.headers['content-type'] ?? '', /^text\/html/);
    assert.match(missing.body, /<h1>Temporarily unavailable<\/h1>/);
    assert.doesNotMatch(missing.body, /nginx/i, 'no server name or version in the page');
    assert.equal(missing.headers['strict-transport-security'], 'max-age=63072000');
    assert.match(missing.headers['x-request-id'] ?? '', /^[0-9a-f]{32}$/);
    assert.equal(
      missing.headers['content-security-policy'],
      SECURITY_HEADERS['content-security-policy'],
      'nginx adds the security headers to its own pages too',
    );
  });

  it('under load: the cached page stays 200, the rest is the 502 page, and the app serves again as soon as it is back', async (t) => {
    const figures = await appDownBehindNginx({ short: true, nginxBin: tools.paths!.nginx });
    t.diagnostic(JSON.stringify(figures));
    assert.ok(figures.cachedWhileDown > 20, 'the load ran while the app was down');
    assert.ok(figures.probesWhileDown > 5, 'and the probe');
    assert.deepEqual(figures.problems, [], 'the targets of the case');
  });
});
