/**
 * The schema and policy checks of manifests.test.ts can fail: each mistake an
 * operator's admission control would refuse, made on a copy of the rendered
 * production overlay, is reported with a message naming the object, the
 * container and what is wrong.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { before, describe, it } from 'node:test';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IContainer } from 'kubernetes-models/v1';
import { requireTools } from '../../helpers/require-tool.ts';
import { imageProblem, policyViolations } from './policy.ts';
import { K8S_DIR, kustomize, kustomizeWithComponents, type KubeObject } from './render.ts';
import { schemaErrors } from './schemas.ts';

const tools = requireTools(['kubectl'], 'kubectl ≥ 1.27 (kustomize v5), e.g. from dl.k8s.io');
const PRODUCTION = join(K8S_DIR, 'overlays/production');

/** A copy of `objects` with the quire container changed by `change`. */
function withContainer(
  objects: readonly KubeObject[],
  change: (container: IContainer, deployment: IDeployment) => void,
): KubeObject[] {
  const copy = structuredClone(objects) as KubeObject[];
  const deployment = copy.find((object) => object.kind === 'Deployment') as unknown as IDeployment;
  const container = deployment.spec?.template.spec?.containers[0];
  assert.ok(container);
  change(container, deployment);
  return copy;
}

describe('the manifest checks catch mistakes', { skip: tools.skip }, () => {
  const kubectl = tools.paths?.kubectl ?? 'kubectl';
  let production: KubeObject[] = [];

  before(async () => {
    production = await kustomize(kubectl, PRODUCTION);
    assert.deepEqual(policyViolations(production), [], 'the unbroken manifests pass');
    assert.deepEqual(schemaErrors(production), [], 'the unbroken manifests pass');
  });

  it('a container without limits', () => {
    const broken = withContainer(production, (container) => {
      delete container.resources?.limits;
    });
    assert.deepEqual(policyViolations(broken), [
      'Deployment/quire: container "quire" has no resources.limits.cpu',
      'Deployment/quire: container "quire" has no resources.limits.memory',
    ]);
  });

  it('a field of the wrong type, and a required field left out', () => {
    const broken = withContainer(production, (container, deployment) => {
      (deployment.spec as { replicas: unknown }).replicas = 'two';
      delete (container as { name?: string }).name;
    });
    const errors = schemaErrors(broken);
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0] ?? '', /^Deployment\/quire: .*spec\/replicas must be integer/);
    assert.match(errors[0] ?? '', /containers\/0 must have required property name/);
  });

  it('a kind the checks have no schema for is reported, not waved through', () => {
    const broken = [
      ...production,
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
    ];
    assert.deepEqual(schemaErrors(broken), [
      'Widget/w: no schema for example.com/v1/Widget (add its model to schemas.ts)',
    ]);
  });

  it('an image on :latest, or with no tag at all', () => {
    const latest = withContainer(production, (container) => {
      container.image = 'registry.example/quire:latest';
    });
    assert.deepEqual(policyViolations(latest), [
      'Deployment/quire: container "quire" image "registry.example/quire:latest" uses :latest (pin a version)',
    ]);
    assert.match(imageProblem('registry.example:5000/quire') ?? '', /has no tag/);
    assert.equal(imageProblem('registry.example:5000/quire:0.1.0'), undefined);
    assert.equal(imageProblem(`registry.example/quire@sha256:${'a'.repeat(64)}`), undefined);
  });

  it('a missing probe, and a probe on a port the container does not declare', () => {
    const broken = withContainer(production, (container) => {
      delete container.readinessProbe;
      if (container.livenessProbe?.httpGet) container.livenessProbe.httpGet.port = 'htp';
    });
    assert.deepEqual(policyViolations(broken), [
      'Deployment/quire: container "quire" has no readinessProbe',
      'Deployment/quire: container "quire" livenessProbe uses port "htp", which the container does not declare',
    ]);
  });

  it('a security context looser than the restricted profile', () => {
    const broken = withContainer(production, (container, deployment) => {
      container.securityContext = {
        allowPrivilegeEscalation: true,
        capabilities: { add: ['NET_ADMIN'] },
      };
      const pod = deployment.spec?.template.spec;
      assert.ok(pod);
      pod.securityContext = {};
      pod.automountServiceAccountToken = true;
      pod.volumes = [];
    });
    assert.deepEqual(policyViolations(broken), [
      'Deployment/quire: pod does not set automountServiceAccountToken: false',
      'Deployment/quire: container "quire" does not set runAsNonRoot: true',
      'Deployment/quire: container "quire" runs as user undefined, not 1000',
      'Deployment/quire: container "quire" runs as group undefined, not 1000',
      'Deployment/quire: container "quire" has seccompProfile undefined, not RuntimeDefault',
      'Deployment/quire: container "quire" does not set allowPrivilegeEscalation: false',
      'Deployment/quire: container "quire" does not set readOnlyRootFilesystem: true',
      'Deployment/quire: container "quire" does not drop ALL capabilities',
      'Deployment/quire: container "quire" adds capabilities NET_ADMIN',
      'Deployment/quire: container "quire" has no emptyDir volume mounted on /tmp',
    ]);
  });

  it('a kustomization that patches the limits away is caught end to end, through kubectl', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'quire-k8s-broken-'));
    try {
      await writeFile(
        join(directory, 'kustomization.yaml'),
        [
          'resources:',
          `  - ${relative(directory, PRODUCTION)}`,
          'patches:',
          '  - target: { kind: Deployment, name: quire }',
          '    patch: |-',
          '      - op: remove',
          '        path: /spec/template/spec/containers/0/resources/limits',
          '',
        ].join('\n'),
      );
      const violations = policyViolations(await kustomize(kubectl, directory));
      assert.deepEqual(violations, [
        'Deployment/quire: container "quire" has no resources.limits.cpu',
        'Deployment/quire: container "quire" has no resources.limits.memory',
      ]);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('a component added on top of the overlay without its namespace leaves an object outside it', async () => {
    const unplaced = await kustomizeWithComponents(
      kubectl,
      PRODUCTION,
      [join(K8S_DIR, 'components/service-monitor')],
      undefined,
    );
    const violations = policyViolations(unplaced);
    assert.equal(violations.length, 1, violations.join('\n'));
    assert.match(
      violations[0] ?? '',
      /spread over namespaces: .*ServiceMonitor\/quire in \(none\)/,
    );
  });
});
