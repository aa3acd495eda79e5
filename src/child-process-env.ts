/**
 * The environment of the Node processes Quire starts (render children, cluster workers, a serving
 * process started again in place), from this one's, which config.ts (its one reader) passes in.
 */

type Env = Readonly<Record<string, string | undefined>>;

/**
 * What this process was given for itself alone, not for the Node processes Quire starts: with
 * `node --watch`'s `WATCH_REPORT_DEPENDENCIES` every child reports each module it loads over its
 * IPC channel (issue #15), the test runner sets `NODE_TEST_CONTEXT`, and a debugger or watch flag
 * in `NODE_OPTIONS` would have each child open the inspector on this process's port, or watch
 * files. Other options (heap limits, `--import`) stay.
 */
const PARENT_ONLY_VARIABLES = new Set(['WATCH_REPORT_DEPENDENCIES', 'NODE_TEST_CONTEXT']);
const PARENT_ONLY_OPTION = /^--(?:inspect|debug-port|watch)/;
/** Those of them written with their value as the next word. */
const TAKES_NEXT_WORD = /^--(?:inspect-port|debug-port|watch-path|watch-kill-signal)$/;

/** The environment for a Node process Quire starts: `env`, less what was only for this one. */
export function childProcessEnv(env: Env): Record<string, string> {
  const child: Record<string, string> = {};
  for (const [name, value] of Object.entries(env))
    if (value !== undefined && !PARENT_ONLY_VARIABLES.has(name)) child[name] = value;
  const words = (child.NODE_OPTIONS ?? '').split(/\s+/).filter((word) => word !== '');
  const options = words
    .filter(
      (word, i) => !PARENT_ONLY_OPTION.test(word) && !TAKES_NEXT_WORD.test(words[i - 1] ?? ''),
    )
    .join(' ');
  if (options === '') delete child.NODE_OPTIONS;
  else child.NODE_OPTIONS = options;
  return child;
}

/** `env` with `additions`, and whether it had every one of them already. */
export function environmentWith(
  env: Env,
  additions: Record<string, string>,
): { env: Record<string, string>; had: boolean } {
  const had = Object.entries(additions).every(([name, value]) => env[name] === value);
  const given: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined) given[name] = value;
  return { env: { ...given, ...additions }, had };
}

/** The same as changes for `cluster.fork(env)`, which starts from this environment. */
export function childProcessEnvChanges(env: Env): Record<string, string | undefined> {
  const child = childProcessEnv(env);
  const changes: Record<string, string | undefined> = {};
  for (const name of Object.keys(env)) if (child[name] !== env[name]) changes[name] = child[name];
  return changes;
}
