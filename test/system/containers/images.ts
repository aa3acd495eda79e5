/**
 * Quire's images, built with podman from docker/Dockerfile for system tests (this suite and
 * test/system/k8s/). Each `ensure…` builds its stand-in base images when missing, then runs
 * `podman build`, whose layer cache makes a rebuild of unchanged files take seconds. One build
 * per image and process: later calls share the first one's promise.
 */
import { fileURLToPath } from 'node:url';
import { mustRun } from './command.ts';
import { ensureStandins } from './standins.ts';

/** The repository this file is part of: the build context. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const PRODUCTION_IMAGE = 'localhost/quire:test';
export const DEV_IMAGE = 'localhost/quire-dev:test';
export const BASE_IMAGE = 'localhost/quire-base:test';
export const NGINX_IMAGE = 'localhost/quire-nginx:test';

export interface BuildOptions {
  /** The build context (default: this repository). */
  context?: string;
  target?: string;
  tag?: string;
  /** Stream the build's output to stderr (long builds someone is watching). */
  echo?: boolean;
  /** The Dockerfile, relative to the context (default docker/Dockerfile). */
  file?: string;
}

/**
 * `podman build` of docker/Dockerfile: never pulls (the stand-ins are local), host network for
 * `npm ci` and apt, Docker format so HEALTHCHECK is kept (OCI images have no health check).
 */
export async function buildImage(options: BuildOptions) {
  const context = options.context ?? PROJECT_ROOT;
  const file = options.file ?? 'docker/Dockerfile';
  await ensureStandins(file === 'docker/nginx/Dockerfile' ? ['nginx'] : ['node']);
  const args = ['build', '--pull=never', '--network=host', '--format=docker', '--layers'];
  args.push('-f', `${context}/${file}`);
  if (options.target) args.push('--target', options.target);
  if (options.tag) args.push('-t', options.tag);
  args.push(context);
  return mustRun('podman', args, {
    timeoutMs: 30 * 60_000,
    ...(options.echo ? { echo: process.stderr } : {}),
  });
}

const built = new Map<string, Promise<string>>();

function once(tag: string, target: string): Promise<string> {
  let promise = built.get(tag);
  if (!promise) {
    promise = buildImage({ target, tag }).then(() => tag);
    built.set(tag, promise);
  }
  return promise;
}

/** The production image (`localhost/quire:test`), built from this checkout; returns its tag. */
export function ensureProductionImage(): Promise<string> {
  return once(PRODUCTION_IMAGE, 'prod');
}

/** The development image (`localhost/quire-dev:test`); returns its tag. */
export function ensureDevImage(): Promise<string> {
  return once(DEV_IMAGE, 'dev');
}

/** The base stage both images start from, tagged on its own to compare layers with. */
export function ensureBaseImage(): Promise<string> {
  return once(BASE_IMAGE, 'base');
}

/** The nginx image (docker/nginx/Dockerfile) with the project's nginx/ config; returns its tag. */
export function ensureNginxImage(): Promise<string> {
  let promise = built.get(NGINX_IMAGE);
  if (!promise) {
    promise = buildImage({ file: 'docker/nginx/Dockerfile', tag: NGINX_IMAGE }).then(
      () => NGINX_IMAGE,
    );
    built.set(NGINX_IMAGE, promise);
  }
  return promise;
}
