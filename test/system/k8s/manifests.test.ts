/**
 * k8s/ as kubectl renders it: every kustomization renders, every object is
 * valid against the API schemas, every workload meets the admission policies,
 * and the pieces fit together (ports, labels, names, the shutdown budget,
 * the configuration Quire itself would accept). Issue #8.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import type { IClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import type { IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { IConfigMap, IContainer, IService } from 'kubernetes-models/v1';
import { ConfigError, loadConfig } from '../../../src/config.ts';
import { requireTools } from '../../helpers/require-tool.ts';
import { policyViolations } from './policy.ts';
import {
  findObject,
  K8S_DIR,
  kustomize,
  kustomizeWithComponents,
  type KubeObject,
} from './render.ts';
import { schemaErrors } from './schemas.ts';

const tools = requireTools(['kubectl'], 'kubectl ≥ 1.27 (kustomize v5), e.g. from dl.k8s.io');

const BASE = join(K8S_DIR, 'base');
const PRODUCTION = join(K8S_DIR, 'overlays/production');
const SERVICE_MONITOR = join(K8S_DIR, 'components/service-monitor');
const CLUSTER = join(K8S_DIR, 'cluster');

const kindsOf = (objects: readonly KubeObject[]) => objects.map((object) => object.kind).sort();

function quireContainer(deployment: IDeployment): IContainer {
  const container = deployment.spec?.template.spec?.containers.find((c) => c.name === 'quire');
  assert.ok(container, 'the Deployment has a container named quire');
  return container;
}

function envOf(container: IContainer): Record<string, string> {
  return Object.fromEntries((container.env ?? []).map((item) => [item.name, item.value ?? '']));
}

describe('k8s/ rendered by kubectl kustomize', { skip: tools.skip }, () => {
  const kubectl = tools.paths?.kubectl ?? 'kubectl';
  const rendered: Record<'base' | 'production' | 'monitored' | 'cluster', KubeObject[]> = {
    base: [],
    production: [],
    monitored: [],
    cluster: [],
  };

  before(async () => {
    [rendered.base, rendered.production, rendered.monitored, rendered.cluster] = await Promise.all([
      kustomize(kubectl, BASE),
      kustomize(kubectl, PRODUCTION),
      kustomizeWithComponents(kubectl, PRODUCTION, [SERVICE_MONITOR], 'quire'),
      kustomize(kubectl, CLUSTER),
    ]);
  });

  it('renders the base, the production overlay, the overlay with the ServiceMonitor component, and the cluster prerequisites', () => {
    const workload = ['ConfigMap', 'Deployment', 'HorizontalPodAutoscaler'];
    const expected = [...workload, 'PodDisruptionBudget', 'Service'].sort();
    assert.deepEqual(kindsOf(rendered.base), expected);
    assert.deepEqual(kindsOf(rendered.production), [...expected, 'Ingress', 'Namespace'].sort());
    assert.deepEqual(
      kindsOf(rendered.monitored),
      [...expected, 'Ingress', 'Namespace', 'ServiceMonitor'].sort(),
    );
    assert.deepEqual(kindsOf(rendered.cluster), ['ClusterIssuer']);
  });

  for (const variant of ['base', 'production', 'monitored', 'cluster'] as const) {
    it(`${variant}: every object is valid against its Kubernetes API schema`, () => {
      assert.deepEqual(schemaErrors(rendered[variant]), []);
    });

    it(`${variant}: every workload meets the admission policies (probes, limits, restricted security context, pinned image)`, () => {
      assert.deepEqual(policyViolations(rendered[variant]), []);
    });
  }

  it('production runs a pinned image from its registry, in the quire namespace under the restricted Pod Security Standard', () => {
    const deployment = findObject<IDeployment>(rendered.production, 'Deployment', 'quire');
    assert.equal(quireContainer(deployment).image, 'registry.example/quire:0.1.0');
    const namespace = findObject(rendered.production, 'Namespace', 'quire');
    const labels = (namespace.metadata?.labels ?? {}) as Record<string, string>;
    assert.equal(labels['pod-security.kubernetes.io/enforce'], 'restricted');
    assert.equal(deployment.metadata?.namespace, 'quire');
  });

  it('the Deployment runs one process per pod, probes the right endpoints and never drops capacity on a rollout', () => {
    const deployment = findObject<IDeployment>(rendered.production, 'Deployment', 'quire');
    const container = quireContainer(deployment);
    assert.equal(envOf(container).WORKERS, '1');
    assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
    assert.ok(container.startupProbe?.httpGet, 'an HTTP startup probe');
    for (const probe of [
      container.readinessProbe,
      container.livenessProbe,
      container.startupProbe,
    ]) {
      assert.equal(probe?.httpGet?.port, 'http', 'probes target the public port by name');
    }
    assert.equal(deployment.spec?.strategy?.rollingUpdate?.maxUnavailable, 0);
    assert.equal(deployment.spec?.replicas, undefined, 'the HPA owns the replica count');
  });

  it('the grace period covers the preStop sleep, SHUTDOWN_DELAY_MS and SHUTDOWN_TIMEOUT_MS', () => {
    const deployment = findObject<IDeployment>(rendered.production, 'Deployment', 'quire');
    const container = quireContainer(deployment);
    const env = envOf(container);
    const preStopSeconds = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
    assert.ok(preStopSeconds > 0, 'a preStop sleep while endpoints drop the pod');
    assert.ok(Number(env.SHUTDOWN_DELAY_MS) > 0, 'Quire keeps serving after SIGTERM');
    const budgetSeconds =
      preStopSeconds + (Number(env.SHUTDOWN_DELAY_MS) + Number(env.SHUTDOWN_TIMEOUT_MS)) / 1000;
    const grace = deployment.spec?.template.spec?.terminationGracePeriodSeconds ?? 30;
    assert.ok(grace > budgetSeconds, `grace ${grace} s must exceed the ${budgetSeconds} s budget`);
  });

  it('the environment and ConfigMap are a configuration Quire accepts, with known names only', () => {
    const deployment = findObject<IDeployment>(rendered.production, 'Deployment', 'quire');
    const configMap = findObject<IConfigMap>(rendered.production, 'ConfigMap');
    const container = quireContainer(deployment);
    assert.equal(container.envFrom?.[0]?.configMapRef?.name, configMap.metadata?.name);
    const env = { ...configMap.data, ...envOf(container) };
    // Each name given as a --flag too: Quire's parser rejects an unknown flag,
    // so a misspelt variable (SITE_ULR) fails here instead of being ignored.
    const asFlags = Object.entries(env).flatMap(([name, value]) => [
      `--${name.toLowerCase().replaceAll('_', '-')}`,
      value,
    ]);
    let config;
    try {
      config = loadConfig(env, asFlags);
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.fail(`the manifests configure Quire wrongly: ${error.message}`);
    }
    assert.equal(config.workers, 1);
    assert.equal(config.siteUrl, 'https://blog.example');
    assert.ok(config.trustProxy, 'X-Forwarded-* from ingress-nginx are believed');
  });

  it('Prometheus annotations and the metrics port agree with METRICS_PORT', () => {
    const deployment = findObject<IDeployment>(rendered.production, 'Deployment', 'quire');
    const annotations = deployment.spec?.template.metadata?.annotations ?? {};
    const container = quireContainer(deployment);
    const metricsPort = container.ports?.find((port) => port.name === 'metrics')?.containerPort;
    assert.equal(annotations['prometheus.io/scrape'], 'true');
    assert.equal(annotations['prometheus.io/path'], '/metrics');
    assert.equal(annotations['prometheus.io/port'], String(metricsPort));
    assert.equal(envOf(container).METRICS_PORT, String(metricsPort));
    // Quire's default, loopback, would refuse every scrape from outside the pod.
    assert.equal(envOf(container).METRICS_HOST, '0.0.0.0');
  });

  it('the Service exposes named ports that exist on the pods it selects', () => {
    const deployment = findObject<IDeployment>(rendered.production, 'Deployment', 'quire');
    const service = findObject<IService>(rendered.production, 'Service', 'quire');
    const podLabels = deployment.spec?.template.metadata?.labels ?? {};
    for (const [key, value] of Object.entries(service.spec?.selector ?? {})) {
      assert.equal(podLabels[key], value, `pods carry the Service selector ${key}=${value}`);
    }
    const podPorts = new Set(quireContainer(deployment).ports?.map((port) => port.name));
    assert.deepEqual(service.spec?.ports?.map((port) => port.name).sort(), ['http', 'metrics']);
    for (const port of service.spec?.ports ?? []) {
      assert.ok(podPorts.has(String(port.targetPort)), `targetPort ${port.targetPort} exists`);
    }
  });

  it('the Ingress is for ingress-nginx: HTTPS only, buffered, certificate from the ClusterIssuer, host matching SITE_URL', () => {
    const ingress = findObject<IIngress>(rendered.production, 'Ingress', 'quire');
    const issuer = findObject<IClusterIssuer>(rendered.cluster, 'ClusterIssuer');
    const configMap = findObject<IConfigMap>(rendered.production, 'ConfigMap');
    const annotations = ingress.metadata?.annotations ?? {};
    assert.equal(ingress.spec?.ingressClassName, 'nginx');
    assert.equal(annotations['cert-manager.io/cluster-issuer'], issuer.metadata?.name);
    assert.equal(annotations['nginx.ingress.kubernetes.io/force-ssl-redirect'], 'true');
    assert.equal(annotations['nginx.ingress.kubernetes.io/proxy-buffering'], 'on');
    const host = ingress.spec?.rules?.[0]?.host;
    assert.deepEqual(ingress.spec?.tls?.[0]?.hosts, [host]);
    assert.equal(configMap.data?.SITE_URL, `https://${host}`);
    const backend = ingress.spec?.rules?.[0]?.http?.paths[0]?.backend.service;
    assert.deepEqual(backend, { name: 'quire', port: { name: 'http' } });
    assert.match(issuer.spec?.acme?.server ?? '', /^https:\/\/acme-v02\.api\.letsencrypt\.org\//);
    assert.equal(issuer.spec?.acme?.solvers?.[0]?.http01?.ingress?.ingressClassName, 'nginx');
  });

  it('the autoscaler and the disruption budget target the Deployment and leave a pod serving', () => {
    const deployment = findObject<IDeployment>(rendered.production, 'Deployment', 'quire');
    const hpa = findObject<IHorizontalPodAutoscaler>(
      rendered.production,
      'HorizontalPodAutoscaler',
    );
    const pdb = findObject<IPodDisruptionBudget>(rendered.production, 'PodDisruptionBudget');
    assert.deepEqual(hpa.spec?.scaleTargetRef, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployment.metadata?.name,
    });
    assert.deepEqual(pdb.spec?.selector?.matchLabels, deployment.spec?.selector.matchLabels);
    assert.ok((hpa.spec?.minReplicas ?? 1) > Number(pdb.spec?.minAvailable));
  });

  it('the ServiceMonitor component scrapes the Service metrics port and turns annotation scraping off', () => {
    const monitor = findObject<IServiceMonitor>(rendered.monitored, 'ServiceMonitor', 'quire');
    const service = findObject<IService>(rendered.monitored, 'Service', 'quire');
    const deployment = findObject<IDeployment>(rendered.monitored, 'Deployment', 'quire');
    assert.deepEqual(monitor.spec.selector.matchLabels, service.metadata?.labels);
    assert.deepEqual(
      monitor.spec.endpoints?.map((endpoint) => endpoint.port),
      ['metrics'],
    );
    assert.equal(monitor.metadata?.namespace, 'quire');
    const annotations = deployment.spec?.template.metadata?.annotations ?? {};
    assert.equal(annotations['prometheus.io/scrape'], 'false');
  });
});
