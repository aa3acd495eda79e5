/** Starting and inspecting containers in tests: unique `quire-` names, removed after the file. */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after } from 'node:test';
import { mustRun, run } from './command.ts';

export function uniqueName(what: string): string {
  return `quire-${what}-${randomBytes(4).toString('hex')}`;
}

/** Removes the container (and its anonymous volumes) when the test file ends, whatever happened. */
export function removeAfter(container: string): void {
  after(async () => {
    await run('podman', ['rm', '--force', '--volumes', '--time', '0', container]);
  });
}

/** `podman create` with `args`; the container is removed after the test file. */
export async function createContainer(args: readonly string[], what = 'test'): Promise<string> {
  const name = uniqueName(what);
  removeAfter(name);
  await mustRun('podman', ['create', '--name', name, ...args]);
  return name;
}

/** The host port podman published for the container's `port`. */
export async function publishedPort(container: string, port: number): Promise<number> {
  const { stdout } = await mustRun('podman', ['port', container, `${port}/tcp`]);
  const match = /:(\d+)\s*$/m.exec(stdout);
  if (!match) throw new Error(`podman port ${container} ${port}: ${stdout}`);
  return Number(match[1]);
}

/** Polls `url` until it answers 200; resolves with the time it took, rejects after `ms`. */
export async function waitFor200(url: string, ms: number, interval = 25): Promise<number> {
  const started = performance.now();
  let last = 'no answer';
  while (performance.now() - started < ms) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await response.body?.cancel();
      if (response.status === 200) return performance.now() - started;
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await sleep(interval);
  }
  throw new Error(`${url} not 200 within ${ms} ms (last: ${last})`);
}

export async function logsOf(container: string): Promise<string> {
  const { stdout, stderr } = await run('podman', ['logs', container]);
  return `${stdout}${stderr}`;
}

export async function inspect(container: string, format: string): Promise<string> {
  return (await mustRun('podman', ['inspect', '--format', format, container])).stdout.trim();
}
