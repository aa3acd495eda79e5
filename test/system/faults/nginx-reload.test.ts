/**
 * nginx reloads and a certificate renewal under load (issue #20), the short mode of the soak
 * case bench/soak/cases/nginx-reload.ts: 0 failed requests, and every request nginx logged
 * answered 200. The renewal runs when certbot and pebble are installed, as in
 * test/system/nginx/acme.test.ts.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { nginxReloadUnderLoad } from '../../../bench/soak/cases/nginx-reload.ts';
import { requireTools } from '../../helpers/require-tool.ts';

const tools = requireTools(['nginx', 'envsubst'] as const, 'apt-get install nginx gettext-base');
const acme = requireTools(
  ['certbot', 'pebble', 'pebble-challtestsrv', 'openssl'] as const,
  'apt-get install certbot pebble openssl',
);

it(
  'nginx reloads and a certificate renewal under load: 0 failed requests',
  { skip: tools.skip },
  async (t) => {
    const figures = await nginxReloadUnderLoad({
      short: true,
      nginxBin: tools.paths!.nginx,
      acme: acme.paths,
    });
    t.diagnostic(JSON.stringify(figures));
    if (acme.skip) t.diagnostic(`no renewal: ${acme.skip}`);
    assert.ok(figures.answered > 100, 'a real load');
    assert.deepEqual(figures.problems, [], 'the targets of the case');
  },
);
