/**
 * System tests drive real programs (nginx, certbot, pebble, podman, chromium,
 * kubectl). On a developer's machine a missing program skips the suite that
 * needs it, saying which program and how to get it; in CI (`CI=true`) it is a
 * failure, so a skipped suite can never pass for a green run.
 */
import { spawnSync } from 'node:child_process';

/** The absolute path of `name` on the PATH (or in /usr/sbin, where Debian puts daemons), or undefined. */
export function findTool(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v "$1"`, 'sh', name], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` },
  });
  const path = found.stdout.trim();
  return found.status === 0 && path !== '' ? path : undefined;
}

/**
 * Every tool in `names`, resolved to absolute paths; or, when some are missing,
 * the reason to pass to `test(..., { skip })`. Throws instead under `CI=true`.
 */
export function requireTools<const Names extends readonly string[]>(
  names: Names,
  hint: string,
): { paths: Record<Names[number], string>; skip: false } | { paths: undefined; skip: string } {
  const paths: Record<string, string> = {};
  const missing: string[] = [];
  for (const name of names) {
    const path = findTool(name);
    if (path === undefined) missing.push(name);
    else paths[name] = path;
  }
  if (missing.length === 0) return { paths, skip: false };
  const reason = `missing ${missing.join(', ')} (${hint})`;
  if (process.env.CI === 'true') throw new Error(`system test needs ${reason}`);
  return { paths: undefined, skip: reason };
}
