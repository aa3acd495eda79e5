/**
 * What a fault case started (servers, temporary directories, anything with a clean-up), undone
 * in reverse order when the case ends, passed or failed. The cases run under node:test (their
 * short mode, in `npm run test:system`) and outside it (`npm run soak`), so they cannot rely on
 * node:test's `after()`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerProcess, spawnServer, stopNow } from '../../../test/helpers/server-process.ts';

export class Scope {
  readonly #cleanups: (() => unknown)[] = [];

  defer(cleanup: () => unknown): void {
    this.#cleanups.push(cleanup);
  }

  async tempDir(prefix = 'quire-soak-'): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    // Retries: a server being stopped may still be writing its cache there.
    this.defer(() => rm(dir, { recursive: true, force: true, maxRetries: 5 }));
    return dir;
  }

  /** Quire (src/server.ts) with `env`, SIGKILLed at the end unless it exited. */
  server(env: Record<string, string>, wrapper: string[] = []): ServerProcess {
    const server = spawnServer(env, [], wrapper);
    this.defer(async () => {
      stopNow(server);
      await server.exited;
    });
    return server;
  }

  async close(): Promise<void> {
    for (const cleanup of this.#cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // One failed clean-up must not keep the others from running.
      }
    }
  }
}

/** Runs `body` in a fresh scope, closed whatever happens. */
export async function inScope<T>(body: (scope: Scope) => Promise<T>): Promise<T> {
  const scope = new Scope();
  try {
    return await body(scope);
  } finally {
    await scope.close();
  }
}
