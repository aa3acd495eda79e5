/**
 * The site loader's incremental update (site-loader.ts): what happened at one path, applied to its
 * collection by the loader's own reading, cross-file rules and rendering.
 */
import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { resolveFile } from '../markdown/file-references.ts';
import { discoverPosts } from '../source/discover-posts.ts';
import { type Collection, modelOf, sortStates } from './collection.ts';
import { type FileState, readFileState } from './file-state.ts';
import type { PostChange } from './load-report.ts';
import type { MediaFiles } from './media-files.ts';
import type { SourceFields } from './source-kinds.ts';

/** What an update works on besides its collection: the loader's files, rules and rendering. */
export interface UpdateTarget {
  media: MediaFiles;
  check: () => void;
  /** Renders what is pending, with the image jobs of the files that changed on disk. */
  render: (changed: ReadonlySet<string>) => Promise<unknown>;
}

/** Applies what happened at `path`; resolves the files whose good post or page changed. */
export async function updateAt<F extends SourceFields, M>(
  collection: Collection<F, M>,
  path: string,
  { media, check, render }: UpdateTarget,
): Promise<PostChange[]> {
  const { states, dir, kind } = collection;
  const rel = relative(dir, path).split(sep).join('/');
  const { sources: targets, files } = rel.endsWith('.md')
    ? { sources: [rel], files: new Map<string, boolean>() }
    : collection.name === 'post'
      ? await postsUnder(collection, media.paths, rel)
      : { sources: await filesUnder(states, dir, rel), files: new Map<string, boolean>() };
  const goodBefore = new Map<string, M | undefined>();
  const remember = (target: string) => {
    if (!goodBefore.has(target))
      goodBefore.set(target, modelOf(collection, states.get(target), media.manifest()));
  };
  for (const [file, exists] of files) {
    if (exists) media.paths.add(file);
    else media.paths.delete(file);
  }
  // The posts showing a changed file may change with it (an image's size, its variants); the
  // default cover shows on every post without a cover of its own.
  const cover = media.manifest().defaultCover?.path;
  const coverChanged = cover !== undefined && files.has(cover);
  for (const [target, state] of states) if (coverChanged || shows(state, files)) remember(target);
  for (const target of targets) {
    remember(target);
    const state = states.get(target);
    const fresh = await readFileState(dir, target, kind, { previous: state });
    if (fresh === undefined) states.delete(target);
    else if (fresh !== state) states.set(target, fresh);
  }
  sortStates(states);
  // A rename is a delete and a create, reported in either order: a clash with a file that is gone
  // is that file's delete not applied yet.
  check();
  for (const gone of await vanishedClaimants(states)) {
    remember(gone);
    states.delete(gone);
  }
  check();
  await render(new Set(files.keys()));
  const changes: PostChange[] = [];
  for (const [target, previous] of goodBefore) {
    const after = modelOf(collection, states.get(target), media.manifest());
    const change = { kind: collection.name, file: join(dir, target), before: previous, after };
    if (after !== previous) changes.push(change as PostChange);
  }
  return changes;
}

/**
 * The posts and other files at `rel` of the posts folder (a file, or a folder moved in, out or
 * deleted): the known ones and the ones on disk now; each other file with whether it is on disk.
 */
async function postsUnder<F extends SourceFields, M>(
  posts: Collection<F, M>,
  mediaPaths: ReadonlySet<string>,
  rel: string,
): Promise<{ sources: string[]; files: Map<string, boolean> }> {
  const prefix = rel === '' ? '' : `${rel}/`;
  const here = (path: string) => path === rel || path.startsWith(prefix);
  let present: string[];
  try {
    const found = await discoverPosts(join(posts.dir, rel));
    present = [...found.posts, ...found.files].map((path) => prefix + path);
  } catch {
    // Not a folder: a file (not a hidden one), or nothing.
    const file = await stat(join(posts.dir, rel)).then(
      (stats) => stats.isFile(),
      () => false,
    );
    present = file && !rel.split('/').some((part) => part.startsWith('.')) ? [rel] : [];
  }
  const sources = new Set([...posts.states.keys()].filter(here));
  const files = new Map([...mediaPaths].filter(here).map((path) => [path, false]));
  for (const path of present) {
    if (path.endsWith('.md')) sources.add(path);
    else files.set(path, true);
  }
  return { sources: [...sources].sort(), files };
}

/** Known files under the folder `rel` of `dir`, and the ones on disk there now. */
async function filesUnder<F extends SourceFields>(
  states: Map<string, FileState<F>>,
  dir: string,
  rel: string,
): Promise<string[]> {
  const prefix = rel === '' ? '' : `${rel}/`;
  const inside = [...states.keys()].filter((path) => path.startsWith(prefix));
  const present = await readdir(join(dir, rel), { recursive: true }).then(
    (names) =>
      names
        .filter((name) => name.endsWith('.md'))
        .map((name) => prefix + name.split(sep).join('/')),
    () => [] as string[], // gone, or not a folder
  );
  return [...new Set([...inside, ...present])].sort();
}

/** Whether the file shows or links to one of `files`. */
function shows<F extends SourceFields>(
  state: FileState<F>,
  files: ReadonlyMap<string, boolean>,
): boolean {
  if (files.size === 0) return false;
  return [state.current, state.good].some((version) =>
    version?.files.some(({ target }) => files.has(resolveFile(version.path, target) ?? '')),
  );
}

/** Files claiming a clashing name that are no longer on disk. */
async function vanishedClaimants<F extends SourceFields>(
  states: Map<string, FileState<F>>,
): Promise<string[]> {
  const gone: string[] = [];
  for (const state of states.values()) {
    if (state.problems.length === state.parseProblems.length) continue; // no clash
    const exists = await stat(state.file).then(
      () => true,
      () => false,
    );
    if (!exists) gone.push(state.path);
  }
  return gone;
}
