/**
 * Runs soak cases against a stack: the context a case gets (case.ts), the own stacks it starts
 * stopped after it, and its failure turned into a figure rather than the end of the run. Shared by
 * `npm run soak` (bench/soak.ts) and the short system tests (test/system/soak/).
 */
import type { CaseFigures, OwnStack, SoakCase, SoakContext } from './case.ts';
import { ordinarySampler } from './ordinary.ts';
import { type Stack, startStack } from './stack.ts';

export interface RunOptions {
  stack: Stack;
  short: boolean;
  /** The server's entry point for stacks a case starts (dist/server.js or src/server.ts). */
  server: string;
  log: (message: string) => void;
}

export async function runCase(
  soakCase: SoakCase,
  options: RunOptions,
): Promise<Record<string, CaseFigures>> {
  const own: OwnStack[] = [];
  const ctx: SoakContext = {
    targets: options.stack.targets,
    short: options.short,
    secrets: options.stack.secrets,
    ordinary: ordinarySampler(options.short ? 1500 : 5000),
    startStack: async (stackOptions = {}) => {
      const stack = await startStack({
        ...stackOptions,
        server: stackOptions.server ?? options.server,
      });
      own.push(stack);
      return stack;
    },
    log: (message) => options.log(`${soakCase.name}: ${message}`),
  };
  try {
    return await soakCase.run(ctx);
  } catch (error) {
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    options.log(`${soakCase.name}: could not run: ${message}`);
    return {
      error: { ...NO_REQUESTS, withinTarget: false, problems: [`could not run: ${message}`] },
    };
  } finally {
    for (const stack of own) await stack.stop();
  }
}

const NO_REQUESTS = { sent: 0, answered: 0, failed: 0, lost: 0, fiveXX: 0 };
