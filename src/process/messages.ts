/** The cluster primary's messages to its workers (over the cluster IPC channel). */
export const SHUTDOWN_MESSAGE = 'quire:shutdown';

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
}

export const isSiteMessage = (message: unknown): message is SiteMessage =>
  (message as SiteMessage | undefined)?.type === 'quire:site';
