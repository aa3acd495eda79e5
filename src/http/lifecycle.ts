/**
 * Shared by the process model and the web layer. Mutable on purpose: on SIGTERM the process
 * model sets `draining`, and `/readyz` answers 503 so Kubernetes takes the pod out of the
 * Service endpoints while in-flight requests finish.
 */
export interface Lifecycle {
  draining: boolean;
}

export function createLifecycle(): Lifecycle {
  return { draining: false };
}
