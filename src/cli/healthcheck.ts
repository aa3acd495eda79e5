/**
 * The container image's HEALTHCHECK (docker/Dockerfile): exit 0 when this container's server
 * answers `/healthz` with 200, 1 otherwise. Node's own fetch, so the image needs no curl. Reads
 * PORT like the server does; always asks over loopback, whatever HOST the server binds.
 */
import { loadConfigOrExit } from '../config.ts';
import { fail } from './shared.ts';

const TIMEOUT_MS = 3000;

async function main(): Promise<number> {
  const url = `http://127.0.0.1:${loadConfigOrExit('quire', 2).port}/healthz`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    await response.body?.cancel();
    if (response.ok) return 0;
    return fail(`${url} answered ${response.status}`, 1);
  } catch (error) {
    return fail(`${url}: ${(error as Error).message}`, 1);
  }
}

process.exitCode = await main();
