/**
 * HTTP/1.1 by hand over one raw socket, for requests no client library will send (smuggling
 * pairs, absolute-form, 1 byte a second) and to check that the answers come back one per request,
 * in order, on the same connection. Hand-written: Node's and undici's response parsers are not
 * public API, and a client (undici, http.request) refuses to send most of these requests.
 */
import type { Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** How reading an answer ended when no whole answer came. */
export type NoAnswer = 'closed' | 'timeout';

const HEADER_END = Buffer.from('\r\n\r\n');

export class RawConnection {
  private buffered = Buffer.alloc(0);
  private ended = false;
  private wake: () => void = () => {};
  readonly socket: Socket;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      this.wake();
    });
    const end = () => {
      this.ended = true;
      this.wake();
    };
    socket.on('end', end);
    socket.on('close', end);
    // A reset is an ending like any other here; the case decides whether it was due.
    socket.on('error', end);
  }

  get closed(): boolean {
    return this.ended;
  }

  send(bytes: string | Buffer): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }

  /** The next whole answer on the connection, or why none came within `timeoutMs`. */
  async read(timeoutMs = 10_000): Promise<RawResponse | NoAnswer> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const parsed = this.parse();
      if (parsed !== undefined) return parsed;
      if (this.ended) return 'closed';
      const left = deadline - performance.now();
      if (left <= 0) return 'timeout';
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }

  /** Takes one whole answer off the buffer, if there is one. */
  private parse(): RawResponse | undefined {
    const headerEnd = this.buffered.indexOf(HEADER_END);
    if (headerEnd < 0) return undefined;
    const [statusLine = '', ...lines] = this.buffered
      .subarray(0, headerEnd)
      .toString('latin1')
      .split('\r\n');
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim().toLowerCase();
      headers[name] =
        headers[name] === undefined
          ? line.slice(colon + 1).trim()
          : `${headers[name]}, ${line.slice(colon + 1).trim()}`;
    }
    const rest = this.buffered.subarray(headerEnd + HEADER_END.length);
    const take = (bodyBytes: Buffer, consumed: number): RawResponse => {
      this.buffered = rest.subarray(consumed);
      return { status, headers, body: bodyBytes.toString('utf8') };
    };
    if (status < 200 || status === 204 || status === 304) return take(Buffer.alloc(0), 0);
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const chunks: Buffer[] = [];
      let at = 0;
      for (;;) {
        const lineEnd = rest.indexOf('\r\n', at);
        if (lineEnd < 0) return undefined;
        const size = parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16);
        const dataEnd = lineEnd + 2 + size;
        if (rest.length < dataEnd + 2) return undefined;
        if (size === 0) return take(Buffer.concat(chunks), dataEnd + 2);
        chunks.push(rest.subarray(lineEnd + 2, dataEnd));
        at = dataEnd + 2;
      }
    }
    if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (rest.length < length) return undefined;
      return take(rest.subarray(0, length), length);
    }
    // No length: the body runs to the end of the connection.
    if (!this.ended) return undefined;
    return take(rest, rest.length);
  }
}

/** A request as bytes: request line, headers (each given as sent), blank line, body. */
export function rawRequest(requestLine: string, headers: string[], body = ''): string {
  return [requestLine, ...headers, '', body].join('\r\n');
}
