/**
 * Watches a folder tree and turns a burst of events into one change per key (a file name, or one
 * key for "anything here"). A save is several events: an in-place write is a truncate and a write;
 * a save through a temporary file is a create, a rename over the post and sometimes a delete (vim,
 * JetBrains' safe write, `sed -i`, `os.replace`, `git checkout`).
 *
 * The events come from chokidar, not Node's recursive `fs.watch`: on Linux that keeps an inotify
 * watch per file, left on the old inode when a file is renamed over the post, so after the first
 * such save the post was never seen again (issue #17 §7). chokidar watches each folder, sees the
 * post by name, and (`atomic`) reports a delete followed at once by a create of the same name as
 * one change. A folder moved in or out gives one event per file in it.
 *
 * Two ways a change is applied:
 * - `ready` (optional): after `EARLY_MS` of quiet the caller reads the file; if what it read is
 *   complete (it parses, or the file is gone) the change is applied at once (issue #4: the
 *   edit-to-page budget). A read between the truncate and the write does not parse: not ready.
 * - otherwise after `debounceMs` of quiet, whatever the file holds then (a broken post is reported
 *   only once it stayed broken that long).
 * A later event for the same key starts over; the caller makes a repeat of the same bytes a no-op.
 */
import { relative } from 'node:path';
import { watch } from 'chokidar';
import type { Logger } from '../log.ts';

/** Merges the events one write delivers together; a read then sees the write's bytes. */
const EARLY_MS = 2;

export interface WatchOptions {
  /** A folder, watched with its whole tree, or one file (whose name is then ''). */
  dir: string;
  debounceMs: number;
  /**
   * Events with the same key are merged: from a file's name (relative to `dir`), or one key for
   * "anything here"; undefined: not watched.
   */
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

export interface Watcher {
  /** Resolves once every folder is watched: a save from then on is seen. */
  ready: Promise<void>;
  close(): Promise<void>;
}

interface Pending {
  seenAt: number;
  /** Bumped by every event: a `ready` answer about older events is stale. */
  events: number;
  debounce?: NodeJS.Timeout;
  early?: NodeJS.Timeout;
}

export function watchDebounced(options: WatchOptions): Watcher {
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
   * Applies `key` now, after every key whose events came first: a rename is a delete of the old
   * name then a create of the new one, and the content only recognises it in that order.
   */
  const fireInOrder = (key: string) => {
    for (const earlier of [...pending.keys()]) {
      if (earlier === key) break;
      fire(earlier);
    }
    fire(key);
  };

  const seen = (name: string) => {
    const key = keyOf(name);
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
  };

  // Files only: a folder moved in or out is reported file by file too.
  const watcher = watch(dir, { ignoreInitial: true })
    .on('add', (path) => seen(relative(dir, path)))
    .on('change', (path) => seen(relative(dir, path)))
    .on('unlink', (path) => seen(relative(dir, path)))
    .on('error', (error) => logger.error({ err: error, dir }, `cannot watch ${dir}`));
  const isReady = new Promise<void>((resolve) => watcher.once('ready', resolve));

  return {
    ready: isReady,
    close: async () => {
      await watcher.close();
      for (const entry of pending.values()) {
        clearTimeout(entry.debounce);
        clearTimeout(entry.early);
      }
      pending.clear();
    },
  };
}
