/**
 * The processes below a process, read from /proc (Linux), to see which children a Quire process
 * really started: the render tests check the posts were rendered in child processes.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The command line, arguments joined by spaces. */
  command: string;
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    return { pid, ppid, command };
  } catch {
    return undefined; // it exited while being read
  }
}

/** Every live process below `root` (children, their children, ...). */
export function descendants(root: number): ProcessInfo[] {
  const all = readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map((name) => readProcess(Number(name)))
    .filter((info) => info !== undefined);
  const found: ProcessInfo[] = [];
  const parents = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const info of all) {
      if (parents.has(info.ppid) && !parents.has(info.pid)) {
        parents.add(info.pid);
        found.push(info);
        grew = true;
      }
    }
  }
  return found;
}

/** A process's environment as it was started, or undefined once it is gone. */
export function environmentOf(pid: number): Record<string, string> | undefined {
  try {
    const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
    return Object.fromEntries(entries.map((entry) => entry.split(/=(.*)/s, 2) as [string, string]));
  } catch {
    return undefined;
  }
}

/**
 * Watches the processes below `root` until `done` settles, and returns the most that matched
 * `isWanted` at one time, with their pids and their environments.
 */
export async function mostAtOnce(
  root: number,
  isWanted: (info: ProcessInfo) => boolean,
  done: Promise<unknown>,
): Promise<{ most: number; pids: Set<number>; environments: Map<number, Record<string, string>> }> {
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => {});
  let most = 0;
  const pids = new Set<number>();
  const environments = new Map<number, Record<string, string>>();
  while (!finished) {
    const wanted = descendants(root).filter(isWanted);
    most = Math.max(most, wanted.length);
    for (const { pid } of wanted) {
      pids.add(pid);
      const environment = environments.has(pid) ? undefined : environmentOf(pid);
      if (environment) environments.set(pid, environment);
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { most, pids, environments };
}
