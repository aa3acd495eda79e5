/**
 * The rendered Deployment and its ConfigMap, adapted for `podman kube play`
 * (podman 4.3, Debian 12), which runs a useful subset of a pod spec. The
 * rendered manifest stays the source of truth: this changes only what podman
 * cannot run or what a test on a shared machine must change, each for the
 * reason given below, and keeps the rest (environment, ConfigMap, resources,
 * security context, the /tmp emptyDir), which podman applies.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IConfigMap, IContainer } from 'kubernetes-models/v1';
import { stringify } from 'yaml';
import { findObject, type KubeObject } from './render.ts';

export interface PodmanManifestOptions {
  /** The Deployment's name here: unique, since other tests share this machine's podman. */
  name: string;
  /** The locally built production image. */
  image: string;
  /** Loopback host port for each named container port. */
  hostPorts: Record<string, number>;
}

export interface PodmanManifest {
  yaml: string;
  /** The container as rendered, probes and lifecycle included: what the test plays kubelet for. */
  rendered: IContainer;
  /** terminationGracePeriodSeconds of the rendered pod (podman 4.3 ignores it: the test passes it). */
  gracePeriodSeconds: number;
}

export function podmanManifest(
  objects: readonly KubeObject[],
  options: PodmanManifestOptions,
): PodmanManifest {
  const deployment = structuredClone(findObject<IDeployment>(objects, 'Deployment', 'quire'));
  const configMap = structuredClone(findObject<IConfigMap>(objects, 'ConfigMap'));
  const pod = deployment.spec?.template.spec;
  const container = pod?.containers[0];
  if (pod === undefined || container === undefined) throw new Error('the Deployment has no pod');
  const rendered = structuredClone(container);

  // podman has no namespaces; the name keeps parallel runs apart.
  deployment.metadata = { ...deployment.metadata, name: options.name };
  delete deployment.metadata.namespace;
  delete configMap.metadata?.namespace;

  // The image built from this checkout, never pulled (there is no registry here).
  container.image = options.image;
  container.imagePullPolicy = 'Never';

  // A cluster reaches the pod through the Service; here the host does, through
  // ports published on loopback only.
  for (const port of container.ports ?? []) {
    const hostPort = port.name === undefined ? undefined : options.hostPorts[port.name];
    if (hostPort === undefined) throw new Error(`no host port for container port ${port.name}`);
    port.hostPort = hostPort;
    port.hostIP = '127.0.0.1';
  }

  // Probes: podman 4.3 ignores startup and readiness probes, and turns a
  // liveness httpGet into `curl` run inside the container
  // (https://github.com/containers/podman/issues/18318), which the slim image
  // does not have: the health check would fail and kill Quire. The test runs
  // the rendered probes itself, from the host, as the kubelet does.
  delete container.startupProbe;
  delete container.readinessProbe;
  delete container.livenessProbe;
  // podman 4.3 runs no lifecycle hooks; the test stops the pod with SIGTERM
  // directly, which is what the kubelet sends once the preStop sleep ends.
  delete container.lifecycle;

  return {
    yaml: [configMap, deployment].map((object) => stringify(object)).join('---\n'),
    rendered,
    gracePeriodSeconds: pod.terminationGracePeriodSeconds ?? 30,
  };
}
