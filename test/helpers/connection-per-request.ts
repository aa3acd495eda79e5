/**
 * A plain client under load: each request on a new connection (`Connection: close`, no
 * keep-alive, no retry), several at once, bounded in time and count, every outcome classified
 * as a person reading a packet capture would (issue #16):
 * - answered: a whole HTTP response (status line, headers, the body its Content-Length gives);
 * - refused: nothing listens (ECONNREFUSED): the request never reached a server;
 * - closed without response: the connection was accepted, then closed with no byte sent back;
 * - reset: the connection was reset (ECONNRESET, EPIPE) before a whole response came;
 * - truncated: part of a response, then the end.
 */
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface Target {
  host: string;
  port: number;
  path: string;
  /** The Host header; default `host:port`. */
  hostHeader?: string;
  /** TLS to the target, trusting `ca` for `servername`. */
  tls?: { ca: string; servername: string };
  /**
   * How long after the handshake the request leaves (default 0). Over a real network the
   * request reaches the server a moment after the connection it has accepted; on loopback
   * both arrive together unless the client waits.
   */
  writeDelayMs?: number;
}

export interface Outcomes {
  sent: number;
  statuses: Record<number, number>;
  refused: number;
  closedWithoutResponse: number;
  reset: number;
  truncated: number;
  /** Anything else, by error code or message. */
  other: string[];
}

export interface LoadLimits {
  clients: number;
  /** Stops the load; it also stops by itself after `maxMs` or `maxRequests`. */
  signal: AbortSignal;
  maxMs: number;
  maxRequests?: number;
  /** Checked before each new connection: false stops that client (a load balancer that left). */
  keepSending?: () => boolean;
  /** Told of every request when it ends, with when it started (the fault cases time them). */
  onRequest?: (request: TimedRequest) => void;
}

export type One =
  | { kind: 'answered'; status: number }
  | { kind: 'refused' | 'closedWithoutResponse' | 'reset' | 'truncated' }
  | { kind: 'other'; what: string };

/** One request's outcome, with `performance.now()` at its connect and at its end. */
export interface TimedRequest {
  one: One;
  startedAt: number;
  endedAt: number;
}

export const noOutcomes = (): Outcomes => ({
  sent: 0,
  statuses: {},
  refused: 0,
  closedWithoutResponse: 0,
  reset: 0,
  truncated: 0,
  other: [],
});

/** The failures that mean an accepted request was lost (refusals are not: nothing listened). */
export const lost = (o: Outcomes): number =>
  o.closedWithoutResponse + o.reset + o.truncated + o.other.length;

export function addOutcomes(into: Outcomes, from: Outcomes): Outcomes {
  into.sent += from.sent;
  for (const [status, n] of Object.entries(from.statuses))
    into.statuses[Number(status)] = (into.statuses[Number(status)] ?? 0) + n;
  into.refused += from.refused;
  into.closedWithoutResponse += from.closedWithoutResponse;
  into.reset += from.reset;
  into.truncated += from.truncated;
  into.other.push(...from.other);
  return into;
}

/** Whether `bytes` hold a whole response: headers, then as many body bytes as announced. */
function parse(bytes: Buffer): { status: number; whole: boolean } | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const head = bytes.subarray(0, end).toString('latin1');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1]);
  if (!Number.isInteger(status)) return undefined;
  const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
  const body = bytes.length - end - 4;
  return { status, whole: length === undefined ? true : body >= Number(length) };
}

function once(target: Target): Promise<One> {
  return new Promise((resolve) => {
    const options = { host: target.host, port: target.port };
    const socket: Socket = target.tls
      ? tlsConnect({ ...options, ca: target.tls.ca, servername: target.tls.servername })
      : netConnect(options);
    const chunks: Buffer[] = [];
    const request =
      `GET ${target.path} HTTP/1.1\r\nHost: ${target.hostHeader ?? `${target.host}:${target.port}`}\r\n` +
      'User-Agent: quire-test\r\nConnection: close\r\n\r\n';
    socket.once(target.tls ? 'secureConnect' : 'connect', () => {
      if (!target.writeDelayMs) socket.write(request);
      else setTimeout(() => socket.writable && socket.write(request), target.writeDelayMs);
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      const response = parse(Buffer.concat(chunks));
      if (response?.whole) return resolve({ kind: 'answered', status: response.status });
      if (code === 'ECONNREFUSED') return resolve({ kind: 'refused' });
      if (code === 'ECONNRESET' || code === 'EPIPE') return resolve({ kind: 'reset' });
      resolve({ kind: 'other', what: code });
    });
    socket.on('close', (hadError) => {
      if (hadError) return;
      const bytes = Buffer.concat(chunks);
      const response = parse(bytes);
      if (response?.whole) resolve({ kind: 'answered', status: response.status });
      else resolve({ kind: bytes.length === 0 ? 'closedWithoutResponse' : 'truncated' });
    });
  });
}

export async function connectionPerRequest(target: Target, limits: LoadLimits): Promise<Outcomes> {
  const outcomes = noOutcomes();
  const deadline = Date.now() + limits.maxMs;
  const maxRequests = limits.maxRequests ?? 100_000;
  const running = () =>
    !limits.signal.aborted &&
    Date.now() < deadline &&
    outcomes.sent < maxRequests &&
    (limits.keepSending?.() ?? true);
  async function client(): Promise<void> {
    while (running()) {
      outcomes.sent++;
      const startedAt = performance.now();
      const one = await once(target);
      limits.onRequest?.({ one, startedAt, endedAt: performance.now() });
      if (one.kind === 'answered')
        outcomes.statuses[one.status] = (outcomes.statuses[one.status] ?? 0) + 1;
      else if (one.kind === 'other') outcomes.other.push(one.what);
      else outcomes[one.kind]++;
      // Nothing listens: wait a little rather than spin on refusals.
      if (one.kind === 'refused') await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  await Promise.all(Array.from({ length: limits.clients }, client));
  return outcomes;
}
