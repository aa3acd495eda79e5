/**
 * Renders the repository's kustomizations with the real `kubectl kustomize`,
 * the same command `kubectl apply -k` runs, and parses the output.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);

export const K8S_DIR = fileURLToPath(new URL('../../../k8s/', import.meta.url));

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** The objects of a multi-document YAML stream, as kubectl would send them. */
export function parseManifests(text: string): KubeObject[] {
  return parseAllDocuments(text).map((document) => {
    const [error] = document.errors;
    if (error !== undefined) throw error;
    return document.toJS() as KubeObject;
  });
}

export async function kustomize(kubectl: string, directory: string): Promise<KubeObject[]> {
  const { stdout } = await run(kubectl, ['kustomize', directory], { maxBuffer: 16 << 20 });
  return parseManifests(stdout);
}

/**
 * Renders `overlay` with extra components, as an operator does by listing them
 * under `components:` in the overlay. A throwaway kustomization refers to both
 * (kustomize takes only relative paths) and sets the overlay's namespace
 * again, or not when `namespace` is undefined.
 */
export async function kustomizeWithComponents(
  kubectl: string,
  overlay: string,
  components: readonly string[],
  namespace: string | undefined,
): Promise<KubeObject[]> {
  const directory = await mkdtemp(join(tmpdir(), 'quire-k8s-'));
  try {
    const lines = [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      ...(namespace === undefined ? [] : [`namespace: ${namespace}`]),
      'resources:',
      `  - ${relative(directory, overlay)}`,
      'components:',
      ...components.map((component) => `  - ${relative(directory, component)}`),
    ];
    await writeFile(join(directory, 'kustomization.yaml'), `${lines.join('\n')}\n`);
    return await kustomize(kubectl, directory);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** The one object of `kind` (and `name`, when given); throws naming what is missing. */
export function findObject<T = KubeObject>(
  objects: readonly KubeObject[],
  kind: string,
  name?: string,
): T {
  const matches = objects.filter(
    (object) => object.kind === kind && (name === undefined || object.metadata?.name === name),
  );
  if (matches.length !== 1) {
    throw new Error(`expected one ${kind}${name ? `/${name}` : ''}, found ${matches.length}`);
  }
  return matches[0] as T;
}
