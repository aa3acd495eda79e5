/** The cluster primary's messages to its workers (over the cluster IPC channel). */
export const SHUTDOWN_MESSAGE = 'quire:shutdown';

/**
 * A worker to its primary, every fifth of WORKER_HANG_MS from when it listens: a worker silent
 * for WORKER_HANG_MS is hung (its event loop blocked, or the process stopped) and is replaced.
 */
export const HEARTBEAT_MESSAGE = 'quire:heartbeat';
export const heartbeatEveryMs = (workerHangMs: number): number => workerHangMs / 5;

/** A worker to its primary once it listens (with SO_REUSEPORT, cluster's own event never fires). */
export const LISTENING_MESSAGE = 'quire:listening';

/**
 * A worker asks which site its primary loaded; the primary answers with its version, and the
 * port every worker listens on (`PORT=0` resolved once, by the primary).
 */
export const SITE_REQUEST = 'quire:site-request';
export interface SiteMessage {
  type: 'quire:site';
  version: string;
  port: number;
  /**
   * False when the primary could not write the render cache (full, read-only): it warned once
   * for the cluster, and each worker loads the posts itself without warning again (issue #20).
   */
  cacheWritten: boolean;
}

export const isSiteMessage = (message: unknown): message is SiteMessage =>
  (message as SiteMessage | undefined)?.type === 'quire:site';
