/**
 * An HTTP probe run the way the kubelet runs it
 * (https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/):
 * GET the path on the named port, success on a status from 200 to 399 within
 * timeoutSeconds, tried every periodSeconds, given up after failureThreshold
 * failures in a row.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { IProbe } from 'kubernetes-models/v1';

export interface ProbeResult {
  ok: boolean;
  attempts: number;
  /** The last answer: a status, or the network error. */
  last: string;
}

export async function runProbe(
  probe: IProbe | undefined,
  hostPorts: Record<string, number>,
): Promise<ProbeResult> {
  const httpGet = probe?.httpGet;
  if (probe === undefined || httpGet === undefined) throw new Error('not an HTTP probe');
  const port = typeof httpGet.port === 'number' ? httpGet.port : hostPorts[httpGet.port];
  if (port === undefined) throw new Error(`no host port for probe port ${httpGet.port}`);
  const url = `http://127.0.0.1:${port}${httpGet.path ?? '/'}`;
  const failureThreshold = probe.failureThreshold ?? 3;
  let last = '';
  for (let attempt = 1; attempt <= failureThreshold; attempt += 1) {
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout((probe.timeoutSeconds ?? 1) * 1000),
      });
      await response.body?.cancel();
      last = `${url} answered ${response.status}`;
      if (response.status >= 200 && response.status < 400)
        return { ok: true, attempts: attempt, last };
    } catch (error) {
      last = `${url}: ${(error as Error).message}`;
    }
    if (attempt < failureThreshold) await sleep((probe.periodSeconds ?? 10) * 1000);
  }
  return { ok: false, attempts: failureThreshold, last };
}
