/** What the command-line tools share: the settings, one-line errors, counted nouns. */
import { type ConfigReport, ConfigError, loadEnvironmentConfig } from '../config.ts';

/**
 * The settings from the environment and the site file (validated like the server's), for tools
 * with own flags, with the site file's problems for them to report or not.
 */
export function environmentConfig(): ConfigReport | ConfigError {
  try {
    return loadEnvironmentConfig();
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
