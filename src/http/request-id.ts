/**
 * Request ids: every request gets one, every response carries it in `X-Request-Id`, and every line
 * logged through `request.log` carries it as `quire.requestId`.
 *
 * The id is the incoming `X-Request-Id` (nginx sets it, so nginx's access log and ours share it)
 * when that is a sane token, otherwise a fresh UUID. A client-chosen id is only ever echoed after
 * validation: it ends up in a response header, in HTML and in logs.
 *
 * `genReqId` and `childLoggerFactory` are Fastify *server* options (passed by
 * `buildApp`); the plugin adds the response header.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Bindings, ChildLoggerOptions, Level } from 'pino';
import fp from 'fastify-plugin';

export const REQUEST_ID_HEADER = 'x-request-id';

const SANE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Whether a client-supplied request id may be reused as is. */
export function isSaneRequestId(value: unknown): value is string {
  return typeof value === 'string' && SANE_ID.test(value);
}

/** Fastify `genReqId`: use with `requestIdHeader: false` so Fastify never reads the header itself. */
export function genReqId(raw: IncomingMessage): string {
  // Repeated headers arrive joined with ", ", which the pattern rejects.
  const incoming = raw.headers[REQUEST_ID_HEADER];
  return isSaneRequestId(incoming) ? incoming : randomUUID();
}

/**
 * The per-request logger, a pino child made on first use: most requests log nothing but their
 * access line (request-log.ts), and a pino child for every request was measurable on the
 * page-serving path (issue #2, the throughput target).
 */
class RequestLogger implements FastifyBaseLogger {
  #child: FastifyBaseLogger | undefined;
  readonly #parent: FastifyBaseLogger;
  readonly #requestId: string;
  readonly #options: ChildLoggerOptions;

  constructor(parent: FastifyBaseLogger, requestId: string, options: ChildLoggerOptions) {
    this.#parent = parent;
    this.#requestId = requestId;
    this.#options = options;
  }

  #logger(): FastifyBaseLogger {
    if (!this.#child) {
      const requestId = this.#requestId;
      // The request id is the first field under `quire` of every logged object.
      const log = (object: object) => ({ requestId, ...object });
      this.#child = this.#parent.child({}, { ...this.#options, formatters: { log } });
    }
    return this.#child;
  }

  get level(): string {
    return this.#child?.level ?? this.#options.level ?? this.#parent.level;
  }

  set level(level: string) {
    this.#logger().level = level;
  }

  fatal(...args: unknown[]): void {
    this.#write('fatal', args);
  }

  error(...args: unknown[]): void {
    this.#write('error', args);
  }

  warn(...args: unknown[]): void {
    this.#write('warn', args);
  }

  info(...args: unknown[]): void {
    this.#write('info', args);
  }

  debug(...args: unknown[]): void {
    this.#write('debug', args);
  }

  trace(...args: unknown[]): void {
    this.#write('trace', args);
  }

  silent(): void {}

  #write(level: Level, args: unknown[]): void {
    const logger = this.#logger();
    Reflect.apply(logger[level], logger, args);
  }

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#logger().child(bindings, options);
  }
}

/**
 * Fastify `childLoggerFactory`. Fastify's default binds `{ reqId }` with `logger.child()`, which
 * pino writes outside the `quire` namespace; a child `formatters.log` adds the id to each logged
 * object instead, nested like every other field of ours. Grandchildren inherit the formatter.
 */
export const childLoggerFactory: NonNullable<FastifyServerOptions['childLoggerFactory']> =
  function childLoggerFactory(logger, bindings, options) {
    return new RequestLogger(logger, String(bindings.reqId), options);
  };

async function requestId(fastify: FastifyInstance): Promise<void> {
  // Callback style: on the hot path an async hook costs a promise per request.
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}

export default fp(requestId, { name: 'quire-request-id', fastify: '5.x' });
