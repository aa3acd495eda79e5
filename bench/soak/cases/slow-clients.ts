/**
 * Slow clients (issue #20): slowloris connections sending their headers one byte a second, and
 * readers that ask for the large page and never read it (socket paused), all at once beside
 * ordinary readers. Target: ordinary traffic's p99 within 2 × its quiet p99, no ordinary request
 * failed or lost, no 5xx anywhere.
 *
 * Counts (`sent`, `answered`, `failed`, `lost`) are of ordinary requests, the ones that must be
 * served; what became of the hostile connections is in `slowloris` and `slowReaders`
 * (`closedByServer`: the server ended the connection before the case did).
 */
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CaseFigures, SoakCase, SoakTarget } from '../case.ts';
import { withinTwiceBaseline } from '../ordinary.ts';
import { type NoAnswer, RawConnection, type RawResponse } from '../../../test/helpers/raw-http.ts';
import { LARGE_PATH } from '../stack.ts';

interface Hostile {
  connections: number;
  /** Could not even connect: the server refused a connection. */
  refused: number;
  closedByServer: number;
  statuses: Record<number, number>;
}

const newHostile = (): Hostile => ({ connections: 0, refused: 0, closedByServer: 0, statuses: {} });

/** Opens `count` connections, `parallel` at a time (TLS handshakes cost the client CPU too). */
async function openMany(target: SoakTarget, count: number, hostile: Hostile): Promise<Socket[]> {
  const sockets: Socket[] = [];
  const parallel = 25;
  for (let i = 0; i < count; i += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - i) }, () =>
      target.connect().then(
        (socket) => sockets.push(socket),
        () => hostile.refused++,
      ),
    );
    await Promise.all(batch);
  }
  hostile.connections = count;
  return sockets;
}

function tally(hostile: Hostile, answer: RawResponse | NoAnswer): void {
  if (answer === 'closed') hostile.closedByServer++;
  else if (answer !== 'timeout') {
    hostile.statuses[answer.status] = (hostile.statuses[answer.status] ?? 0) + 1;
    hostile.closedByServer++;
  }
}

/** One byte a second of a request whose headers never end, until `untilMs` or the server gives up. */
async function slowloris(socket: Socket, target: SoakTarget, untilMs: number, hostile: Hostile) {
  const connection = new RawConnection(socket);
  const bytes = `GET / HTTP/1.1\r\nHost: ${target.host}\r\nX-Slow: ${'a'.repeat(10_000)}`;
  let answer: RawResponse | NoAnswer = 'timeout';
  for (let i = 0; performance.now() < untilMs && i < bytes.length; i++) {
    connection.send(bytes[i]!);
    answer = await connection.read(1000);
    if (answer !== 'timeout') break;
  }
  tally(hostile, answer);
  connection.close();
}

/** Asks for the large page and never reads a byte of it. */
async function slowReader(socket: Socket, target: SoakTarget, untilMs: number, hostile: Hostile) {
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => (closed = true));
  socket.write(`GET ${LARGE_PATH} HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`);
  socket.pause();
  while (!closed && performance.now() < untilMs) await sleep(250);
  if (closed) hostile.closedByServer++;
  socket.destroy();
}

export const slowClients: SoakCase = {
  name: 'slow-clients',
  async run(ctx) {
    const lorisCount = ctx.short ? 50 : 500;
    const readerCount = ctx.short ? 20 : 200;
    // Longer than the 10 s header timeouts of the app and nginx, so the full run sees them act.
    const holdMs = ctx.short ? 3000 : 20_000;
    const figures: Record<string, CaseFigures> = {};
    for (const target of ctx.targets) {
      const loris = newHostile();
      const readers = newHostile();
      const [, ordinary] = await ctx.ordinary.alongside(target, async () => {
        const [lorisSockets, readerSockets] = [
          await openMany(target, lorisCount, loris),
          await openMany(target, readerCount, readers),
        ];
        const until = performance.now() + holdMs;
        await Promise.all([
          ...lorisSockets.map((socket) => slowloris(socket, target, until, loris)),
          ...readerSockets.map((socket) => slowReader(socket, target, until, readers)),
        ]);
      });
      const fiveXX = Object.entries(loris.statuses)
        .filter(([status]) => Number(status) >= 500)
        .reduce((sum, [, count]) => sum + count, 0);
      const lost = ordinary.sent - ordinary.answered;
      const problems = [
        ...(withinTwiceBaseline(ordinary)
          ? []
          : [
              `ordinary p99 ${ordinary.p99Ms} ms vs baseline ${ordinary.baselineP99Ms} ms, ${ordinary.failed} failed`,
            ]),
        ...(fiveXX > 0 ? [`${fiveXX} slowloris connections answered 5xx`] : []),
        ...(loris.refused + readers.refused > 0
          ? [`${loris.refused + readers.refused} hostile connections refused`]
          : []),
      ];
      figures[target.name] = {
        sent: ordinary.sent,
        answered: ordinary.answered,
        failed: ordinary.failed,
        lost,
        fiveXX,
        ordinary,
        slowloris: loris,
        slowReaders: readers,
        holdMs,
        withinTarget: problems.length === 0,
        problems,
      };
      ctx.log(`${target.name}: ${JSON.stringify(figures[target.name])}`);
    }
    return figures;
  },
};
