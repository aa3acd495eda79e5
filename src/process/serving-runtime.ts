/**
 * The runtime settings of every serving process (a single process, each cluster worker), set
 * here once for every way Quire is started (`npm start`, the image, Kubernetes, the bench). They
 * keep a process's memory where its page cache bound (`PAGE_CACHE_MB`) says it is (issue #17):
 * - V8 sizes the young generation for the machine's memory (up to 64 MB a semi-space), though
 *   what a request allocates is short-lived and small, and grows the old generation by a factor
 *   meant for long-lived data; rendering pages on demand churns through both, and the space they
 *   grew into stays resident. `--max-semi-space-size` and `--heap-growing-percent` bound that.
 * - glibc keeps freed heap memory for reuse: page bodies (tens of KB each) evicted from the page
 *   cache would leave it resident. Allocations of that size go through mmap instead, returned to
 *   the system when freed (https://man7.org/linux/man-pages/man3/mallopt.3.html,
 *   M_MMAP_THRESHOLD).
 *
 * The cluster primary serves nothing: once its load is done it only forks, watches and answers
 * /metrics, so the young generation its load grew into would stay resident for nothing. It runs
 * with the smallest one (`PRIMARY_NODE_FLAGS`), which costs its load a few more scavenges.
 *
 * A cluster worker gets the serving settings from its primary. A single process or a primary
 * started without its settings starts itself again with them, in place (`process.execve`: the
 * same pid, so tini, Kubernetes and a supervisor see one process): V8 and glibc read them only
 * when the process starts.
 */
import { environmentWith } from '../config.ts';

export const SERVING_NODE_FLAGS = ['--max-semi-space-size=8', '--heap-growing-percent=20'];
export const SERVING_ENV = { MALLOC_MMAP_THRESHOLD_: '16384' };
export const PRIMARY_NODE_FLAGS = ['--max-semi-space-size=1'];

/** A worker's Node flags: the primary's own, but its runtime settings, then the serving ones. */
export const workerExecArgv = (primaryExecArgv: readonly string[]): string[] => [
  ...primaryExecArgv.filter((flag) => !PRIMARY_NODE_FLAGS.includes(flag)),
  ...SERVING_NODE_FLAGS,
];

/** Re-executes this process with `flags` and `environment` unless it already runs with them. */
export function ensureRuntime(
  flags: readonly string[],
  environment: Record<string, string> = {},
): void {
  const missing = flags.filter((flag) => !process.execArgv.includes(flag));
  const { env, had } = environmentWith(environment);
  if (missing.length === 0 && had) return;
  const argv = [process.execPath, ...process.execArgv, ...missing, ...process.argv.slice(1)];
  process.execve?.(process.execPath, argv, env);
}
