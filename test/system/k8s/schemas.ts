/**
 * Offline validation of rendered manifests against the Kubernetes API schemas,
 * through the `kubernetes-models` packages (OpenAPI schemas compiled to ajv
 * validators, no cluster needed). Each kind Quire ships maps to its model class;
 * a kind without a model is reported, never waved through.
 *
 * What this catches: wrong types (`replicas: "two"`), missing required fields,
 * bad enum values and formats. What it cannot: an unknown field such as a
 * misspelt `livenessprobe`, because the upstream OpenAPI schemas do not forbid
 * additional properties; the policy checks (policy.ts) cover the fields that
 * matter to us by asserting they are present.
 */
import { ClusterIssuer } from '@kubernetes-models/cert-manager/cert-manager.io/v1';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { ConfigMap, Namespace, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type { KubeObject } from './render.ts';

interface Model {
  validate(): void;
}
type ModelClass = new (data: never) => Model;

/** `apiVersion/kind` → the model that validates it. */
const MODELS: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/Ingress': Ingress,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'cert-manager.io/v1/ClusterIssuer': ClusterIssuer,
  'monitoring.coreos.com/v1/ServiceMonitor': ServiceMonitor,
};

export function describeObject(object: KubeObject): string {
  return `${object.kind}/${object.metadata?.name ?? '(no name)'}`;
}

/** Every schema error of every object, each line naming the object; empty when all are valid. */
export function schemaErrors(objects: readonly KubeObject[]): string[] {
  const errors: string[] = [];
  for (const object of objects) {
    const key = `${object.apiVersion}/${object.kind}`;
    const Model = MODELS[key];
    if (Model === undefined) {
      errors.push(`${describeObject(object)}: no schema for ${key} (add its model to schemas.ts)`);
      continue;
    }
    try {
      new Model(object as never).validate();
    } catch (error) {
      // The validator's message lists each failure as `data/<path> <problem>`.
      errors.push(`${describeObject(object)}: ${(error as Error).message}`);
    }
  }
  return errors;
}
