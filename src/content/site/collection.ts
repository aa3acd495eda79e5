/**
 * A collection of the site loader (site-loader.ts): one kind of file (posts or pages) in its
 * folder, with the loader's state of each file, and the helpers that read and order them.
 */
import { isAbsolute, join, relative } from 'node:path';
import type { IndexEntry } from '../cache/site-index.ts';
import type { MediaManifest } from '../media/media-manifest.ts';
import type { Page, Post } from '../types.ts';
import { type FileState, settled } from './file-state.ts';
import type { PostChange } from './load-report.ts';
import type { SourceFields, SourceKind } from './source-kinds.ts';

/** One kind of file, in its folder, with what the loader knows of each, by path. */
export interface Collection<F extends SourceFields, M> {
  kind: SourceKind<F, M>;
  name: PostChange['kind'];
  dir: string;
  states: Map<string, FileState<F>>;
}

/** Whether `path` is `dir` or inside it. */
export function within(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return !rel.startsWith('..') && !isAbsolute(rel);
}

/** The files of a collection as the index has them, trusted (a cluster worker's `open`). */
export function settleAll<F extends SourceFields, M>(
  collection: Collection<F, M>,
  entries: readonly IndexEntry<F>[],
): void {
  collection.states.clear();
  for (const entry of entries)
    collection.states.set(entry.path, settled(entry.path, join(collection.dir, entry.path), entry));
}

export function modelOf<F extends SourceFields, M>(
  collection: Collection<F, M>,
  state: FileState<F> | undefined,
  media: MediaManifest,
): M | undefined {
  if (!state?.good) return undefined;
  state.model ??= collection.kind.model(state.file, state.good, media) as Post | Page;
  return state.model as M;
}

export function models<F extends SourceFields, M>(
  collection: Collection<F, M>,
  media: MediaManifest,
): M[] {
  return [...collection.states.values()].flatMap((state) => {
    const model = modelOf(collection, state, media);
    return model ? [model] : [];
  });
}

export function sortStates<F extends SourceFields>(states: Map<string, FileState<F>>): void {
  const sorted = [...states].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  states.clear();
  for (const [path, state] of sorted) states.set(path, state);
}
