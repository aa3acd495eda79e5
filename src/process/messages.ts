/** The cluster primary's messages to its workers (over the cluster IPC channel). */
export const SHUTDOWN_MESSAGE = 'quire:shutdown';
