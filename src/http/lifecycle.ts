/**
 * Process lifecycle state shared between the process model (`src/server.ts`)
 * and the web layer. Mutable on purpose: on SIGTERM the server flips
 * `draining` to true, and `/readyz` starts answering 503 so Kubernetes takes
 * the pod out of the Service endpoints while in-flight requests finish.
 */
export interface Lifecycle {
  draining: boolean;
}

export function createLifecycle(): Lifecycle {
  return { draining: false };
}
