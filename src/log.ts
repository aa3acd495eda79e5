/**
 * The process logger: pino, one JSON object per line, written synchronously.
 *
 *   {"level":"info","time":"2026-01-02T03:04:05.678Z","pid":1,"hostname":"quire-7d9f",
 *    "quire":{"requestId":"…","method":"GET","route":"/posts/:slug",…},"msg":"request completed"}
 *
 * - `level` (the label) and `time` (ISO-8601 UTC) are at the top level.
 * - Everything Quire logs as an object is nested under the one key `quire` (pino's
 *   `nestedKey`), so a shared Elasticsearch index never sees a field of ours clash with another
 *   application's mapping. Serializers run before the nesting: `{ err }` is still serialized.
 * - pino writes child-logger bindings at the top level, so Quire never binds fields with
 *   `child()`; per-request fields come from a child `formatters.log` (src/http/request-id.ts).
 *
 * Human-readable output (pino-pretty) only when stdout is a terminal.
 */
import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogLevel } from './config.ts';

export type { Logger } from 'pino';

/** The single top-level key under which Quire's own log fields live. */
export const LOG_NAMESPACE = 'quire';

let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * pino's `stdTimeFunctions.isoTime` (`,"time":"2026-01-02T03:04:05.678Z"`, what pino splices
 * into the line), with the date and time up to the second formatted once per second rather
 * than once per line: `toISOString()` was a tenth of the cost of an access-log line (issue #2).
 */
export function isoTime(): string {
  const now = Date.now();
  const ms = now % 1000;
  const second = now - ms;
  if (second !== cachedSecond) {
    cachedSecond = second;
    cachedPrefix = `,"time":"${new Date(second).toISOString().slice(0, 20)}`;
  }
  return `${cachedPrefix}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z"`;
}

/**
 * @param level minimum level to write.
 * @param destination where lines go; default stdout (unbuffered). Tests pass
 *   an in-memory stream. A destination always receives plain JSON lines.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    nestedKey: LOG_NAMESPACE,
    timestamp: isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // pino's default, stated so it is obvious the nested `err` is serialized.
    serializers: { err: pino.stdSerializers.err },
  };
  if (destination) return pino(options, destination);
  if (process.stdout.isTTY) {
    // Loaded only for a terminal: a container's processes never pay for it (issue #7).
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
    return pino(options, pretty({ sync: true, destination: 1 }));
  }
  return pino(options, pino.destination({ dest: 1, sync: true }));
}
