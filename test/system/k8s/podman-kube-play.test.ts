/**
 * The rendered production Deployment really runs: `podman kube play` starts it
 * (with its ConfigMap) from the production image, the probes as rendered pass,
 * pages and metrics are served, the security context is in force, and a stop
 * drains gracefully within the grace period. See podman-manifest.ts for what
 * podman 4.3 cannot run and how the test stands in for the kubelet there.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../helpers/server-process.ts';
import { ensureProductionImage } from '../containers/images.ts';
import { requireTools } from '../../helpers/require-tool.ts';
import { runProbe } from './kubelet-probe.ts';
import { podmanManifest, type PodmanManifest } from './podman-manifest.ts';
import { K8S_DIR, kustomize } from './render.ts';

// catatonit: podman builds the pod's pause image from it. debootstrap and runc:
// the production image's build (test/system/containers/images.ts).
const tools = requireTools(
  ['kubectl', 'podman', 'catatonit', 'debootstrap', 'runc'],
  'kubectl ≥ 1.27, and apt-get install podman catatonit debootstrap runc (.ci/packages/k8s.txt)',
);
const execFileAsync = promisify(execFile);

async function podman(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('podman', args, { maxBuffer: 16 << 20, timeout: 120_000 });
  return stdout.trim();
}

/** Quire's JSON log lines (podman logs gives stdout and stderr). */
async function logLines(container: string): Promise<Record<string, unknown>[]> {
  const { stdout, stderr } = await execFileAsync('podman', ['logs', container], {
    maxBuffer: 16 << 20,
  });
  return `${stdout}\n${stderr}`
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe(
  'the production Deployment under podman kube play',
  { skip: tools.skip, timeout: 60 * 60_000 },
  () => {
    const name = `k8s-quire-${process.pid}`;
    let directory = '';
    let manifestFile = '';
    let manifest: PodmanManifest;
    let hostPorts: Record<string, number> = {};
    let container = '';
    let pod = '';
    let playedAt = 0;

    before(async () => {
      const kubectl = tools.paths?.kubectl ?? 'kubectl';
      const [image, objects] = await Promise.all([
        ensureProductionImage(),
        kustomize(kubectl, join(K8S_DIR, 'overlays/production')),
      ]);
      hostPorts = { http: await freePort(), metrics: await freePort() };
      manifest = podmanManifest(objects, { name, image, hostPorts });
      directory = await mkdtemp(join(tmpdir(), 'quire-k8s-play-'));
      manifestFile = join(directory, 'quire.yaml');
      await writeFile(manifestFile, manifest.yaml);
      await podman('kube', 'play', manifestFile);
      playedAt = performance.now();
      // A Deployment becomes the pod `<name>-pod-0`, its container `<pod>-<container>`.
      pod = `${name}-pod-0`;
      container = `${pod}-${manifest.rendered.name}`;
    });

    after(async () => {
      await podman('kube', 'down', manifestFile).catch(() => undefined);
      if (directory !== '') await rm(directory, { recursive: true, force: true });
    });

    it('the startup, readiness and liveness probes pass as rendered', async () => {
      const startup = await runProbe(manifest.rendered.startupProbe, hostPorts);
      const startupMs = Math.round(performance.now() - playedAt);
      process.stdout.write(
        `${JSON.stringify({ k8sPodStartupProbePassedAfterPlayMs: startupMs })}\n`,
      );
      assert.ok(startup.ok, `startup probe: ${startup.last} after ${startup.attempts} attempts`);
      for (const probe of ['readinessProbe', 'livenessProbe'] as const) {
        const result = await runProbe(manifest.rendered[probe], hostPorts);
        assert.equal(result.attempts, 1, `${probe} passes at once: ${result.last}`);
        assert.ok(result.ok, `${probe}: ${result.last}`);
      }
      // The same runner fails a probe the pod does not pass.
      const wrongPath = await runProbe(
        {
          httpGet: { path: '/no-such-probe', port: 'http' },
          periodSeconds: 1,
          failureThreshold: 2,
        },
        hostPorts,
      );
      assert.deepEqual(
        { ok: wrongPath.ok, attempts: wrongPath.attempts },
        { ok: false, attempts: 2 },
      );
      assert.match(wrongPath.last, /answered 404$/);
    });

    it('serves pages on the http port and metrics on the metrics port', async () => {
      const index = await fetch(`http://127.0.0.1:${hostPorts.http}/`);
      assert.equal(index.status, 200);
      // SITE_URL came from the ConfigMap (envFrom): the canonical link is built from it.
      assert.match(await index.text(), /<link rel="canonical" href="https:\/\/blog\.example\/">/);
      const post = await fetch(`http://127.0.0.1:${hostPorts.http}/posts/welcome-to-quire`);
      assert.equal(post.status, 200);
      assert.match(await post.text(), /Welcome to Quire/);
      const metrics = await fetch(`http://127.0.0.1:${hostPorts.metrics}/metrics`);
      assert.equal(metrics.status, 200);
      assert.match(await metrics.text(), /^quire_http_requests_total\{.*route="\/posts\/:slug"/m);
      const onPublicPort = await fetch(`http://127.0.0.1:${hostPorts.http}/metrics`);
      assert.equal(onPublicPort.status, 404, 'metrics never on the public port');
    });

    it('runs as 1000:1000 on a read-only root with no capabilities, within the memory limit', async () => {
      const inspected = JSON.parse(await podman('inspect', container)) as [
        {
          Config: { User: string };
          HostConfig: { ReadonlyRootfs: boolean; Memory: number };
          EffectiveCaps: string[] | null;
        },
      ];
      const [state] = inspected;
      assert.equal(state.Config.User, '1000:1000');
      assert.equal(state.HostConfig.ReadonlyRootfs, true);
      assert.deepEqual(state.EffectiveCaps ?? [], []);
      const limit = manifest.rendered.resources?.limits?.memory;
      assert.equal(limit, '384Mi');
      assert.equal(state.HostConfig.Memory, 384 * 1024 * 1024);
      const logs = await logLines(container);
      const loaded = logs.find((line) => line.msg === 'site loaded');
      assert.ok(loaded, 'Quire logged "site loaded"');
      const complaints = logs.filter((line) =>
        ['warn', 'error', 'fatal'].includes(String(line.level)),
      );
      assert.deepEqual(complaints, [], 'no warnings: nothing tried to write to the read-only root');
    });

    it('stops gracefully within the grace period: not ready at once, still serving, exit 0', async () => {
      // `podman kube down` in podman 4.3 kills with SIGKILL at once
      // (https://github.com/containers/podman/issues/22397, fixed in 5.1), and
      // kube play ignores terminationGracePeriodSeconds. So, as the kubelet
      // does: SIGTERM, then SIGKILL after the grace period; then kube down.
      const started = performance.now();
      const stopping = podman('pod', 'stop', '--time', String(manifest.gracePeriodSeconds), pod);

      // While it drains (SHUTDOWN_DELAY_MS), readiness fails but pages are served.
      let readiness = 0;
      for (let tries = 0; tries < 50 && readiness !== 503; tries += 1) {
        readiness = await fetch(`http://127.0.0.1:${hostPorts.http}/readyz`)
          .then((response) => response.status)
          .catch(() => 0);
        if (readiness !== 503) await sleep(100);
      }
      assert.equal(readiness, 503, '/readyz fails as soon as SIGTERM arrives');
      const page = await fetch(`http://127.0.0.1:${hostPorts.http}/`);
      assert.equal(page.status, 200, 'pages are still served while endpoints drop the pod');

      await stopping;
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(
        `${JSON.stringify({ k8sPodStopSeconds: Number(seconds.toFixed(2)) })}\n`,
      );
      assert.ok(seconds < manifest.gracePeriodSeconds, `stopped in ${seconds} s`);
      const delay = manifest.rendered.env?.find((item) => item.name === 'SHUTDOWN_DELAY_MS');
      assert.ok(
        seconds >= Number(delay?.value) / 1000,
        `kept serving for the delay (${seconds} s)`,
      );
      const exitCode = await podman('inspect', container, '--format', '{{.State.ExitCode}}');
      assert.equal(exitCode, '0');
      const messages = (await logLines(container)).map((line) => line.msg);
      assert.ok(messages.includes('shutting down'), messages.join(', '));
      assert.equal(messages.at(-1), 'shutdown complete');

      await podman('kube', 'down', manifestFile);
      await assert.rejects(podman('pod', 'exists', pod), 'kube down removed the pod');
    });
  },
);
