/**
 * A recursive `fs.watch` with a per-key debounce: an editor's save is often several events
 * (truncate, write, rename of a swap file), and one change should be applied once.
 */
import { type FSWatcher, watch } from 'node:fs';
import type { Logger } from '../log.ts';

export function watchDebounced(
  dir: string,
  ms: number,
  /** Events with the same key are merged: the file name, or one key for "anything here". */
  keyOf: (name: string) => string | undefined,
  /** `seenAt`: `performance.now()` of the first event of the batch, to report latency. */
  onChange: (key: string, seenAt: number) => void,
  logger: Logger,
): () => void {
  const timers = new Map<string, NodeJS.Timeout>();
  const firstSeen = new Map<string, number>();
  const watcher: FSWatcher = watch(dir, { recursive: true }, (_event, name) => {
    const key = name === null ? undefined : keyOf(name);
    if (key === undefined) return;
    clearTimeout(timers.get(key));
    if (!firstSeen.has(key)) firstSeen.set(key, performance.now());
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        const seenAt = firstSeen.get(key) ?? performance.now();
        firstSeen.delete(key);
        onChange(key, seenAt);
      }, ms),
    );
  });
  watcher.on('error', (error) => logger.error({ err: error, dir }, `cannot watch ${dir}`));
  return () => {
    watcher.close();
    for (const timer of timers.values()) clearTimeout(timer);
  };
}
