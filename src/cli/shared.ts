/** What the command-line tools share: the posts directory, one-line errors, counted nouns. */
import { ConfigError, loadEnvironmentConfig } from '../config.ts';

/** `POSTS_DIR` from the environment (validated like the server's), when no flag gives it. */
export function postsDirFromEnvironment(): string | ConfigError {
  try {
    return loadEnvironmentConfig().postsDir;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

/** Prints `quire: message` on stderr and returns the exit code, for `return fail(...)`. */
export function fail(message: string, code: number): number {
  process.stderr.write(`quire: ${message}\n`);
  return code;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
