/** What the command-line tools share: one-line errors on stderr and counted nouns. */

/** Prints `quire: message` on stderr and returns the exit code, for `return fail(...)`. */
export function fail(message: string, code: number): number {
  process.stderr.write(`quire: ${message}\n`);
  return code;
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
