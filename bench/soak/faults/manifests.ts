/** Values the Kubernetes manifests (k8s/base) set, for the cases that run Quire as they do. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from '../../../test/system/nginx/environment.ts';

/** SHUTDOWN_DELAY_MS as the Deployment sets it. */
export async function manifestShutdownDelay(): Promise<string> {
  const deployment = parse(await readFile(join(ROOT, 'k8s/base/deployment.yaml'), 'utf8')) as {
    spec: { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } };
  };
  const env = deployment.spec.template.spec.containers[0]!.env;
  const delay = env.find((variable) => variable.name === 'SHUTDOWN_DELAY_MS')?.value;
  if (delay === undefined) throw new Error('k8s/base/deployment.yaml sets no SHUTDOWN_DELAY_MS');
  return delay;
}
