/**
 * A rolling restart under load (issue #20), the short mode of the soak case
 * bench/soak/cases/rolling-restart.ts: two replicas behind the project's nginx, each restarted
 * in turn with the SHUTDOWN_DELAY_MS of the Kubernetes manifests: 0 failed requests.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { rollingRestartUnderLoad } from '../../../bench/soak/cases/rolling-restart.ts';
import { requireTools } from '../../helpers/require-tool.ts';

const tools = requireTools(['nginx', 'envsubst'] as const, 'apt-get install nginx gettext-base');

it(
  'two replicas behind nginx, restarted one at a time under load: 0 failed requests',
  { skip: tools.skip },
  async (t) => {
    const figures = await rollingRestartUnderLoad({ short: true, nginxBin: tools.paths!.nginx });
    t.diagnostic(JSON.stringify(figures));
    assert.ok(figures.answered > 200, 'a real load');
    assert.deepEqual(figures.problems, [], 'the targets of the case');
  },
);
