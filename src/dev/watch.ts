/**
 * A recursive `fs.watch` that turns a burst of events into one change per key (a file name, or
 * one key for "anything here"). An editor's save is several events: in-place writes give two
 * `change` events (the truncate, then the write), atomic saves a `rename` of a swap file and
 * `change`s; measured on this machine under load, the two events of one `writeFile` arrived up
 * to 45 ms apart and 20–70 ms after the write.
 *
 * Two ways a change is applied:
 * - `ready` (optional): after `EARLY_MS` of quiet the caller reads the file; if what it read is
 *   complete (it parses, or the file is gone) the change is applied at once, without waiting
 *   for the debounce (issue #4: the edit-to-page budget is 50 ms). A read between the truncate
 *   and the write sees an empty or partial file, which does not parse: not ready.
 * - otherwise after `debounceMs` of quiet, whatever the file holds then (a broken post is
 *   reported only once it stayed broken that long).
 * A later event for the same key starts over; if it turns out the same bytes were applied
 * already, the caller makes that a no-op.
 */
import { type FSWatcher, watch } from 'node:fs';
import type { Logger } from '../log.ts';

/** Merges the events one write delivers together; a read then sees the write's bytes. */
const EARLY_MS = 2;

export interface WatchOptions {
  dir: string;
  debounceMs: number;
  /** Events with the same key are merged: the file name, or one key for "anything here". */
  keyOf: (name: string) => string | undefined;
  /** `seenAt`: `performance.now()` of the batch's first event. */
  onChange: (key: string, seenAt: number) => void;
  /**
   * After `EARLY_MS` of quiet: starts the change's work, and resolves true if the change can be
   * applied now rather than after the debounce.
   */
  ready?: (key: string) => Promise<boolean>;
  logger: Logger;
}

interface Pending {
  seenAt: number;
  /** Bumped by every event: a `ready` answer about older events is stale. */
  events: number;
  debounce?: NodeJS.Timeout;
  early?: NodeJS.Timeout;
}

export function watchDebounced(options: WatchOptions): () => void {
  const { dir, debounceMs, keyOf, onChange, ready, logger } = options;
  /** Keys with unapplied events, in the order their first event came (a Map keeps it). */
  const pending = new Map<string, Pending>();

  const fire = (key: string) => {
    const entry = pending.get(key);
    if (!entry) return;
    pending.delete(key);
    clearTimeout(entry.debounce);
    clearTimeout(entry.early);
    onChange(key, entry.seenAt);
  };

  /**
   * Applies `key` now, after every key whose events came first: a rename is a delete of the
   * old name then a create of the new one, and the content only recognises it in that order.
   */
  const fireInOrder = (key: string) => {
    for (const earlier of [...pending.keys()]) {
      if (earlier === key) break;
      fire(earlier);
    }
    fire(key);
  };

  const watcher: FSWatcher = watch(dir, { recursive: true }, (_event, name) => {
    const key = name === null ? undefined : keyOf(name);
    if (key === undefined) return;
    let entry = pending.get(key);
    if (!entry) {
      entry = { seenAt: performance.now(), events: 0 };
      pending.set(key, entry);
    }
    const current = entry;
    const events = ++current.events;
    clearTimeout(current.debounce);
    current.debounce = setTimeout(() => fire(key), debounceMs);
    if (ready) {
      clearTimeout(current.early);
      current.early = setTimeout(() => {
        void ready(key).then(
          (now) => {
            if (now && pending.get(key) === current && current.events === events) fireInOrder(key);
          },
          () => {}, // not ready: the debounce applies it and reports what is wrong
        );
      }, EARLY_MS);
    }
  });
  watcher.on('error', (error) => logger.error({ err: error, dir }, `cannot watch ${dir}`));
  return () => {
    watcher.close();
    for (const entry of pending.values()) {
      clearTimeout(entry.debounce);
      clearTimeout(entry.early);
    }
    pending.clear();
  };
}
