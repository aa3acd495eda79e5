/**
 * A recursive `fs.watch` with a per-key debounce: an editor's save is often several events
 * (truncate, write, rename of a swap file), and one change should be applied once.
 */
import { type FSWatcher, watch } from 'node:fs';
import type { Logger } from '../log.ts';

/** A write's events arrive within a millisecond: this much quiet means the bytes are there. */
const EARLY_MS = 2;

export interface WatchOptions {
  dir: string;
  debounceMs: number;
  /** Events with the same key are merged: the file name, or one key for "anything here". */
  keyOf: (name: string) => string | undefined;
  /** After `debounceMs` of quiet. `seenAt`: `performance.now()` of the batch's first event. */
  onChange: (key: string, seenAt: number) => void;
  /** After `EARLY_MS` of quiet: work that can start while the debounce still waits. */
  onEarly?: (key: string) => void;
  logger: Logger;
}

export function watchDebounced(options: WatchOptions): () => void {
  const { dir, debounceMs, keyOf, onChange, onEarly, logger } = options;
  const timers = new Map<string, NodeJS.Timeout>();
  const early = new Map<string, NodeJS.Timeout>();
  const firstSeen = new Map<string, number>();
  const watcher: FSWatcher = watch(dir, { recursive: true }, (_event, name) => {
    const key = name === null ? undefined : keyOf(name);
    if (key === undefined) return;
    if (!firstSeen.has(key)) firstSeen.set(key, performance.now());
    clearTimeout(timers.get(key));
    timers.set(
      key,
      setTimeout(() => {
        timers.delete(key);
        const seenAt = firstSeen.get(key) ?? performance.now();
        firstSeen.delete(key);
        onChange(key, seenAt);
      }, debounceMs),
    );
    if (onEarly) {
      clearTimeout(early.get(key));
      early.set(
        key,
        setTimeout(() => {
          early.delete(key);
          onEarly(key);
        }, EARLY_MS),
      );
    }
  });
  watcher.on('error', (error) => logger.error({ err: error, dir }, `cannot watch ${dir}`));
  return () => {
    watcher.close();
    for (const timer of [...timers.values(), ...early.values()]) clearTimeout(timer);
  };
}
