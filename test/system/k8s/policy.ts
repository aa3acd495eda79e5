/**
 * The rules a cluster operator enforces at admission (the restricted Pod
 * Security Standard, plus the usual Kyverno/Gatekeeper policies: probes,
 * resource limits, pinned images), checked offline on rendered manifests.
 * Each violation is one line naming the object, the container and the rule,
 * so a failing test says what to fix.
 */
import type { IContainer, IPodSpec } from 'kubernetes-models/v1';
import type { KubeObject } from './render.ts';
import { describeObject } from './schemas.ts';

/** Kinds that are not namespaced, among those Quire ships. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterIssuer']);
const PROBES = ['startupProbe', 'readinessProbe', 'livenessProbe'] as const;

/** The pod spec of a workload object, or undefined for objects that run no pods. */
export function podSpecOf(object: KubeObject): IPodSpec | undefined {
  if (object.kind === 'Pod') return object.spec as IPodSpec;
  const spec = object.spec as { template?: { spec?: IPodSpec } } | undefined;
  return ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job'].includes(object.kind)
    ? spec?.template?.spec
    : undefined;
}

/** `quire:0.1.0` and `registry/quire@sha256:…` are pinned; `quire` and `quire:latest` are not. */
export function imageProblem(image: string | undefined): string | undefined {
  if (image === undefined || image === '') return 'has no image';
  if (image.includes('@sha256:')) return undefined;
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.indexOf(':');
  if (colon === -1)
    return `image "${image}" has no tag (pin a version, never the implicit :latest)`;
  if (lastSegment.slice(colon + 1) === 'latest') {
    return `image "${image}" uses :latest (pin a version)`;
  }
  return undefined;
}

function containerProblems(container: IContainer, pod: IPodSpec): string[] {
  const problems: string[] = [];
  for (const probe of PROBES) {
    if (container[probe] === undefined) problems.push(`has no ${probe}`);
  }
  const declaredPorts = new Set((container.ports ?? []).map((port) => port.name));
  for (const probe of PROBES) {
    const port = container[probe]?.httpGet?.port;
    if (typeof port === 'string' && !declaredPorts.has(port)) {
      problems.push(`${probe} uses port "${port}", which the container does not declare`);
    }
  }
  for (const kind of ['requests', 'limits'] as const) {
    for (const resource of ['cpu', 'memory']) {
      if (container.resources?.[kind]?.[resource] === undefined) {
        problems.push(`has no resources.${kind}.${resource}`);
      }
    }
  }
  const image = imageProblem(container.image);
  if (image !== undefined) problems.push(image);

  // The effective security context: the container's setting, else the pod's.
  const own = container.securityContext ?? {};
  const podLevel = pod.securityContext ?? {};
  const effective = {
    runAsNonRoot: own.runAsNonRoot ?? podLevel.runAsNonRoot,
    runAsUser: own.runAsUser ?? podLevel.runAsUser,
    runAsGroup: own.runAsGroup ?? podLevel.runAsGroup,
    seccomp: (own.seccompProfile ?? podLevel.seccompProfile)?.type,
  };
  if (effective.runAsNonRoot !== true) problems.push('does not set runAsNonRoot: true');
  if (effective.runAsUser !== 1000) problems.push(`runs as user ${effective.runAsUser}, not 1000`);
  if (effective.runAsGroup !== 1000) {
    problems.push(`runs as group ${effective.runAsGroup}, not 1000`);
  }
  if (effective.seccomp !== 'RuntimeDefault') {
    problems.push(`has seccompProfile ${effective.seccomp}, not RuntimeDefault`);
  }
  if (own.allowPrivilegeEscalation !== false) {
    problems.push('does not set allowPrivilegeEscalation: false');
  }
  if (own.readOnlyRootFilesystem !== true)
    problems.push('does not set readOnlyRootFilesystem: true');
  if (!(own.capabilities?.drop ?? []).includes('ALL'))
    problems.push('does not drop ALL capabilities');
  const addedCapabilities = own.capabilities?.add ?? [];
  if (addedCapabilities.length > 0)
    problems.push(`adds capabilities ${addedCapabilities.join(', ')}`);

  // A read-only root needs somewhere writable for /tmp, and it must be an emptyDir.
  const tmpMount = (container.volumeMounts ?? []).find((mount) => mount.mountPath === '/tmp');
  const tmpVolume = pod.volumes?.find((volume) => volume.name === tmpMount?.name);
  if (tmpVolume?.emptyDir === undefined) problems.push('has no emptyDir volume mounted on /tmp');
  return problems;
}

function podProblems(pod: IPodSpec): string[] {
  const problems: string[] = [];
  if (pod.automountServiceAccountToken !== false) {
    problems.push('does not set automountServiceAccountToken: false');
  }
  if (pod.hostNetwork === true || pod.hostPID === true || pod.hostIPC === true) {
    problems.push('shares a host namespace');
  }
  return problems;
}

/** Every policy violation in `objects`; empty when they comply. */
export function policyViolations(objects: readonly KubeObject[]): string[] {
  const violations: string[] = [];
  for (const object of objects) {
    const pod = podSpecOf(object);
    if (pod === undefined) continue;
    const where = describeObject(object);
    for (const problem of podProblems(pod)) violations.push(`${where}: pod ${problem}`);
    for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
      for (const problem of containerProblems(container, pod)) {
        violations.push(`${where}: container "${container.name}" ${problem}`);
      }
    }
  }

  // One application, one namespace: an object left outside it (say, added by a
  // component after the overlay set the namespace) would land wherever
  // kubectl's context points.
  const namespaces = new Set(
    objects
      .filter((object) => !CLUSTER_SCOPED.has(object.kind))
      .map((object) => object.metadata?.namespace ?? '(none)'),
  );
  if (namespaces.size > 1) {
    const listing = objects
      .filter((object) => !CLUSTER_SCOPED.has(object.kind))
      .map((object) => `${describeObject(object)} in ${object.metadata?.namespace ?? '(none)'}`);
    violations.push(`namespaced objects are spread over namespaces: ${listing.join(', ')}`);
  }
  return violations;
}
