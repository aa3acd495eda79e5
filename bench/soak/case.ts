/**
 * The interface every `npm run soak` case implements (issue #20). A case is a module under
 * bench/soak/cases/ exporting a `SoakCase`, listed in bench/soak/cases/index.ts; the runner
 * (bench/soak.ts) and the short system tests (test/system/soak/) run the same modules, the
 * tests with `short: true`.
 *
 * A case throws bad input or faults at the stack, counts what happened to every request it
 * sent, and returns one `CaseFigures` per target it ran against (keyed by target name). It must
 * stop by itself, bounded in time and count, on loopback only, and stop whatever it started.
 */
import type { Socket } from 'node:net';
import type { Dispatcher } from 'undici';

/** One way into the running stack. */
export interface SoakTarget {
  /** `direct`: the app's own port (WORKERS=2 cluster). `nginx`: the project's nginx config, HTTPS. */
  name: 'direct' | 'nginx';
  /** e.g. `http://127.0.0.1:41234` (direct) or `https://127.0.0.1:41236` (nginx). */
  baseUrl: string;
  /** The Host header (and TLS server name) this target answers as. */
  host: string;
  /** A raw connected socket for hand-written requests: plain TCP (direct) or TLS, HTTP/1.1 (nginx). */
  connect: () => Promise<Socket>;
  /** An undici dispatcher for `baseUrl` (trusts nginx's certificate); closed by the runner. */
  dispatcher: Dispatcher;
}

/** What ordinary traffic saw while a case ran beside it, and quietly before. */
export interface OrdinaryFigures {
  sent: number;
  answered: number;
  /** Requests that got no answer, or an answer other than 200. */
  failed: number;
  /** What the failed requests got (a status or an error code) and how many. */
  failures: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  /** p99 of the same traffic alone, measured in the same run just before. */
  baselineP99Ms: number;
}

/** Steady ordinary readers (GET of a post page, a few keep-alive connections). */
export interface OrdinarySampler {
  /** Runs `work` while ordinary traffic goes to `target`; returns both. */
  alongside: <T>(target: SoakTarget, work: () => Promise<T>) => Promise<[T, OrdinaryFigures]>;
}

/** A stack of its own (app + nginx) for cases that stop, kill or reload processes. */
export interface OwnStack {
  targets: SoakTarget[];
  /** The app's primary process id (WORKERS=2 unless `env` says otherwise). */
  appPid: number;
  /** The app's stdout so far, one JSON log line each. */
  appLog: () => string[];
  postsDir: string;
  cacheDir: string;
  /** SIGHUP to nginx's master. */
  reloadNginx: () => void;
  /** Stops everything it started (also done by the runner after the case). */
  stop: () => Promise<void>;
}

export interface StackOptions {
  /** Extra environment for the app (e.g. `{ CACHE_DIR: ... }`). */
  env?: Record<string, string>;
  /** Another server in the app's place (a floor, e.g. bench/soak/floor-server.ts). */
  server?: string;
}

export interface SoakContext {
  /** The shared stack: `direct` and `nginx`. Cases must leave it serving. */
  targets: SoakTarget[];
  /** The short version: fewer connections and seconds (the system tests). */
  short: boolean;
  ordinary: OrdinarySampler;
  /**
   * Text of files outside the roots the app and nginx serve (a canary beside posts/, templates/,
   * the repository, /etc/passwd): no answer may ever contain one.
   */
  secrets: string[];
  /** Starts a fresh stack for this case alone; the runner stops it after the case. */
  startStack: (options?: StackOptions) => Promise<OwnStack>;
  /** Progress on stderr (never stdout: that is the one JSON object). */
  log: (message: string) => void;
}

/**
 * A case's figure for one target. Counts are of requests (or connections, where the case says
 * so): `sent`, `answered` (a complete HTTP answer came back), `failed` (an answer other than the
 * case expects, or a desync), `lost` (sent, never answered, where an answer was due), `fiveXX`.
 */
export interface CaseFigures {
  sent: number;
  answered: number;
  failed: number;
  lost: number;
  fiveXX: number;
  /** Ordinary traffic alongside, for cases that measure it. */
  ordinary?: OrdinaryFigures;
  /** Whether every target of issue #20 for this case was met. */
  withinTarget: boolean;
  /** A few examples of what missed the target (empty when within it). */
  problems: string[];
  /** Case-specific figures. */
  [figure: string]: unknown;
}

export interface SoakCase {
  /** Short, kebab-case: what `--only <name>` selects and the key in the JSON output. */
  name: string;
  /** Figures per target, keyed by target name (`direct`, `nginx`, or the case's own). */
  run: (ctx: SoakContext) => Promise<Record<string, CaseFigures>>;
}
