/**
 * Measuring tools for the benchmark: child servers that are always stopped,
 * readiness polling, memory (peak, RSS and PSS) and CPU time from /proc, and
 * autocannon wrappers (for a duration, or for a fixed number of requests).
 * Nothing here knows about Quire's posts; `run.ts` puts the steps together.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';

/** Every port `freePort()` handed out, so that two servers of one run never get the same one. */
const handedOut = new Set<number>();

/**
 * Asks the kernel for a free port: listen on port 0, read it, close. Never the
 * same port twice in one run (each Quire needs a PORT and a METRICS_PORT).
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await kernelPort();
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no unused free port after 20 attempts');
}

function kernelPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

export interface HttpResult {
  status: number;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

/** Headers set per response, or per connection, by any server: left to each. */
const PER_RESPONSE = new Set([
  'date',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  'x-request-id',
]);

/** The headers of an answer a reference server (bare-server.ts) sends again, as [name, value]. */
export function replayableHeaders(
  headers: Record<string, string | string[] | undefined>,
): [string, string][] {
  return Object.entries(headers)
    .filter(([name]) => !PER_RESPONSE.has(name))
    .map(([name, value]) => [name, String(value)]);
}

/** One GET on a fresh connection, with a hard timeout. */
export function httpGet(url: string, timeoutMs: number): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export interface ServerProcess {
  name: string;
  pid: number;
  baseUrl: string;
  stdoutFile: string;
  stderrFile: string;
  child: ChildProcess;
  /** Resolves with a description of how the process ended. */
  exited: Promise<string>;
  hasExited: () => boolean;
  stopsItsChildren: boolean;
}

/** Every server started and not yet stopped, so that nothing outlives the benchmark. */
const running = new Set<ServerProcess>();

export interface StartOptions {
  name: string;
  /** The program to run; the current Node binary (`process.execPath`) unless given. */
  command?: string;
  /** Its arguments. */
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** The port it listens on (for `baseUrl`); none for a program that does not serve. */
  port?: number;
  logDir: string;
  /**
   * It stops what it started itself on SIGTERM (as nginx.ts does): it is sent SIGTERM, rather
   * than SIGKILL to its process group, which would not reach children in groups of their own.
   */
  stopsItsChildren?: boolean;
}

/**
 * Starts a Node child with stdout and stderr going to files (never to a pipe
 * that could fill up and block it). It leads its own process group, so that
 * `killAll()` also reaches anything it forks.
 */
export function startServer(options: StartOptions): ServerProcess {
  const stdoutFile = join(options.logDir, `${options.name}.stdout.log`);
  const stderrFile = join(options.logDir, `${options.name}.stderr.log`);
  const out = openSync(stdoutFile, 'w');
  const err = openSync(stderrFile, 'w');
  let ended = false;
  let child: ChildProcess;
  try {
    child = spawn(options.command ?? process.execPath, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', out, err],
      detached: true,
    });
  } finally {
    closeSync(out);
    closeSync(err);
  }
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => {
      ended = true;
      resolve(`failed to start: ${error.message}`);
    });
    child.once('exit', (code, signal) => {
      ended = true;
      resolve(signal ? `killed by ${signal}` : `exited with code ${code}`);
    });
  });
  const server: ServerProcess = {
    name: options.name,
    pid: child.pid ?? -1,
    baseUrl: `http://127.0.0.1:${options.port ?? 0}`,
    stdoutFile,
    stderrFile,
    child,
    exited,
    hasExited: () => ended,
    stopsItsChildren: options.stopsItsChildren ?? false,
  };
  running.add(server);
  void exited.then(() => running.delete(server));
  return server;
}

export interface Completed {
  /** Wall time from spawn to exit, in ms (one decimal). */
  ms: number;
  /** How it ended: "exited with code 0" (anything else throws). */
  outcome: string;
}

/**
 * Runs a program to its end (a build, a render) with its output going to files, and measures
 * its wall time. Past `timeoutMs` its whole process group is killed and this throws.
 */
export async function runToExit(options: StartOptions, timeoutMs: number): Promise<Completed> {
  const started = performance.now();
  const child = startServer(options);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  const outcome = await Promise.race([child.exited, timedOut]);
  clearTimeout(timer);
  if (outcome === undefined) {
    if (child.stopsItsChildren) {
      signal(child.pid, 'SIGTERM');
      await Promise.race([child.exited, sleep(10_000)]);
    }
    signal(-child.pid, 'SIGKILL');
    await child.exited;
    throw new Error(`${options.name}: not finished within ${timeoutMs} ms\n${logTail(child)}`);
  }
  const ms = Math.round((performance.now() - started) * 10) / 10;
  if (outcome !== 'exited with code 0')
    throw new Error(`${options.name} ${outcome}\n${logTail(child)}`);
  return { ms, outcome };
}

/** The last lines a server wrote, for error messages. */
export function logTail(server: ServerProcess, lines = 15): string {
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  const out = read(server.stdoutFile);
  const err = read(server.stderrFile);
  return [
    out && `--- ${server.name} stdout (tail)\n${out}`,
    err && `--- ${server.name} stderr (tail)\n${err}`,
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * Polls `path` until it answers 200. Returns the milliseconds since `since`
 * (a `performance.now()` value). Fails fast if the server exits.
 */
export async function waitForOk(
  server: ServerProcess,
  path: string,
  since: number,
  timeoutMs: number,
): Promise<number> {
  const deadline = since + timeoutMs;
  for (;;) {
    if (server.hasExited()) {
      throw new Error(
        `${server.name} ${await server.exited} before ${path} answered 200\n${logTail(server)}`,
      );
    }
    const status = await httpGet(`${server.baseUrl}${path}`, 1000).then(
      (result) => result.status,
      () => 0,
    );
    if (status === 200) return performance.now() - since;
    if (performance.now() > deadline) {
      throw new Error(
        `${server.name}: ${path} did not answer 200 within ${timeoutMs} ms\n${logTail(server)}`,
      );
    }
    await sleep(5);
  }
}

/**
 * Polls the server's stdout (JSON lines) until `count` lines pass `test`, e.g.
 * one "Server listening" line per cluster worker. Fails fast if it exits.
 */
export async function waitForLogLines(
  server: ServerProcess,
  test: (line: Record<string, unknown>) => boolean,
  count: number,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const seen = readJsonLines(server.stdoutFile).filter(test).length;
    if (seen >= count) return;
    if (server.hasExited() || performance.now() > deadline) {
      const why = server.hasExited() ? await server.exited : `not within ${timeoutMs} ms`;
      throw new Error(
        `${server.name}: ${seen} of ${count} expected log lines (${why})\n${logTail(server)}`,
      );
    }
    await sleep(20);
  }
}

/**
 * SIGTERM, then SIGKILL to the whole process group if it has not exited
 * within `graceMs`. Returns how it ended, e.g. "exited with code 0".
 */
export async function stopServer(server: ServerProcess, graceMs = 5000): Promise<string> {
  if (!server.hasExited()) signal(server.pid, 'SIGTERM');
  const timer = sleep(graceMs).then(() => undefined);
  const outcome = await Promise.race([server.exited, timer]);
  if (outcome !== undefined) return outcome;
  signal(-server.pid, 'SIGKILL');
  return `${await server.exited} (did not exit within ${graceMs} ms of SIGTERM)`;
}

/**
 * Synchronous, for `process.on('exit')`: SIGKILL every server still running, and its group;
 * SIGTERM to one that stops its own children.
 */
export function killAll(): void {
  for (const server of running) {
    if (server.stopsItsChildren) signal(server.pid, 'SIGTERM');
    else signal(-server.pid, 'SIGKILL');
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** A `kB` field of /proc/<pid>/status in MB (one decimal); undefined off Linux or once it is gone. */
function statusMb(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status)?.[1];
    return kb === undefined ? undefined : Math.round(Number(kb) / 102.4) / 10;
  } catch {
    return undefined;
  }
}

/** The peak resident set size (VmHWM) of a process in MB, from /proc; undefined off Linux. */
export const peakRssMb = (pid: number): number | undefined => statusMb(pid, 'VmHWM');

/** The direct child processes of `pid` (e.g. cluster workers), from /proc; [] off Linux. */
export function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8')
        .trim()
        .split(/\s+/)
        .filter(Boolean)
        .map(Number),
    );
  } catch {
    return []; // Not Linux, or the process is gone.
  }
}

/**
 * Peak RSS of a process and, separately, the sum over its child processes (e.g.
 * cluster workers; threads are part of the process itself).
 */
export function peakRssTree(pid: number): {
  mb: number | undefined;
  children: number;
  childrenMb: number;
} {
  const children = childPids(pid);
  const childrenMb = children.reduce((sum, child) => sum + (peakRssMb(child) ?? 0), 0);
  return {
    mb: peakRssMb(pid),
    children: children.length,
    childrenMb: Math.round(childrenMb * 10) / 10,
  };
}

/** A process and all its descendants (e.g. a cluster primary and its workers), parent first. */
export function processTree(pid: number): number[] {
  const pids: number[] = [];
  for (let queue = [pid]; queue.length > 0;) {
    const next = queue.shift() as number;
    pids.push(next);
    queue = [...queue, ...childPids(next)];
  }
  return pids;
}

/** `read` for every process of the tree of `pid` (0 where unreadable), and the total; undefined if `pid` itself is unreadable. */
function memoryTree(
  pid: number,
  read: (pid: number) => number | undefined,
): { totalMb: number | undefined; processesMb: number[] } {
  const processesMb = processTree(pid).map((p) => read(p) ?? 0);
  const total = processesMb.reduce((sum, mb) => sum + mb, 0);
  return {
    totalMb: read(pid) === undefined ? undefined : Math.round(total * 10) / 10,
    processesMb,
  };
}

/**
 * Current RSS (VmRSS) of a process and all its descendants, e.g. a cluster
 * primary and its workers: the total, and each process's share, parent first.
 * `totalMb` is undefined when `pid` itself cannot be read. Pages shared between
 * the processes (the Node binary, copy-on-write memory) count once per process.
 */
export const rssTree = (pid: number) => memoryTree(pid, (p) => statusMb(p, 'VmRSS'));

/**
 * The proportional set size of a process in MB (one decimal), from
 * /proc/<pid>/smaps_rollup: each resident page divided by the number of
 * processes that map it. Undefined off Linux (or before 4.14), or once it is gone.
 */
export function pssMb(pid: number): number | undefined {
  try {
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = /^Pss:\s+(\d+) kB$/m.exec(rollup)?.[1];
    return kb === undefined ? undefined : Math.round(Number(kb) / 102.4) / 10;
  } catch {
    return undefined;
  }
}

/**
 * Current PSS of a process and all its descendants: unlike the sum of RSS, a
 * page shared by the primary and its workers counts once overall, so the total
 * is what the tree takes from the machine. Same shape as `rssTree`.
 */
export const pssTree = (pid: number) => memoryTree(pid, pssMb);

/** Clock ticks per second, the unit of CPU times in /proc/<pid>/stat (`getconf CLK_TCK`, 100 nearly everywhere). */
export function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 }));
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/**
 * CPU time a process has used so far, user + system (fields 14 and 15 of
 * /proc/<pid>/stat, in clock ticks), all its threads included; undefined off
 * Linux or once it is gone. The command name (field 2) may hold spaces and
 * parentheses, so fields are counted from the last ")".
 */
export function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state), so field N is fields[N - 3].
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU ticks used so far by a process and all its descendants, summed
 * (undefined when `pid` itself cannot be read), and the pids counted (to tell whether the tree changed between two readings: a
 * process that ended in between takes its ticks with it).
 */
export function cpuTicksTree(pid: number): { ticks: number | undefined; pids: number[] } {
  const pids = processTree(pid);
  const ticks = pids.reduce((sum, p) => sum + (cpuTicks(p) ?? 0), 0);
  return { ticks: cpuTicks(pid) === undefined ? undefined : ticks, pids };
}

/** Every line of a JSON-lines log that parses as an object. */
export function readJsonLines(file: string): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // A line cut short (the process was killed mid-write) is not a result.
    }
  }
  return lines;
}

export interface LoadResult {
  requestsPerSec: number;
  latencyMeanMs: number;
  latencyP99Ms: number;
  requests: number;
  errors: number;
  timeouts: number;
  non2xx: number;
}

/** A bounded autocannon run against one URL on loopback. */
export async function loadTest(
  url: string,
  seconds: number,
  connections: number,
): Promise<LoadResult> {
  if (!/^https?:\/\/127\.0\.0\.1:\d+\//.test(url))
    throw new Error(`refusing to load-test ${url}: loopback only`);
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
  });
  return toLoadResult(result);
}

function toLoadResult(result: Awaited<ReturnType<typeof autocannon>>): LoadResult {
  return {
    requestsPerSec: Math.round(result.requests.total / result.duration),
    latencyMeanMs: result.latency.average,
    latencyP99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
}

/**
 * Busy clock ticks of the whole machine so far, all CPUs together (the first
 * line of /proc/stat: user + nice + system + irq + softirq + steal; guest time
 * is already in user). Undefined off Linux.
 */
export function machineBusyTicks(): number | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const [user, nice, system, , , irq, softirq, steal] = line
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const busy = [user, nice, system, irq, softirq, steal].reduce<number>(
      (sum, ticks) => sum + (ticks ?? 0),
      0,
    );
    return line.startsWith('cpu ') && Number.isFinite(busy) ? busy : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A bounded autocannon run of exactly `amount` requests against one URL on
 * loopback. If it has not finished within `timeoutMs` it is stopped and
 * `timedOut` is set; `requests` is always what completed.
 */
export async function loadFixed(
  url: string,
  amount: number,
  connections: number,
  timeoutMs: number,
): Promise<LoadResult & { timedOut: boolean }> {
  if (!/^https?:\/\/127\.0\.0\.1:\d+\//.test(url))
    throw new Error(`refusing to load-test ${url}: loopback only`);
  const instance = autocannon({ url, connections, amount, pipelining: 1, timeout: 10 });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    instance.stop();
  }, timeoutMs);
  try {
    const result = await instance;
    return { ...toLoadResult(result), timedOut };
  } finally {
    clearTimeout(timer);
  }
}
