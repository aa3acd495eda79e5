/**
 * Slow clients (issue #20): slowloris connections sending their headers one byte a second, and
 * readers that ask for the large page and never read it (socket paused), all at once beside
 * ordinary readers. Target: ordinary traffic's p99 within 2 × its quiet p99, no ordinary request
 * failed or lost, no 5xx anywhere.
 *
 * Two phases, ordinary readers measured in each: opening (700 connections made and 200 large
 * pages asked for at once, a burst of load more than of slowness: reported as `opening`), then
 * held (the slow clients there, slowloris trickling: `ordinary`, the target's figure, against
 * the quiet baseline measured before the opening). Counts (`sent`, `answered`, `failed`,
 * `lost`) are of ordinary requests in both phases, the ones that must be served; what became
 * of the hostile connections is in `slowloris` and `slowReaders` (`closedByServer`: the server
 * ended the connection before the case did).
 */
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CaseFigures, OrdinaryFigures, SoakCase, SoakTarget } from '../case.ts';
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

/** Asks for the large page and never reads a byte of it; the result says whether it was closed. */
function askNeverRead(socket: Socket, target: SoakTarget): () => boolean {
  let closed = false;
  socket.on('close', () => (closed = true));
  socket.on('error', () => (closed = true));
  socket.write(`GET ${LARGE_PATH} HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`);
  socket.pause();
  return () => closed;
}

/** Holds a never-reading client until `untilMs` or until the server closes it. */
async function holdReader(
  socket: Socket,
  closed: () => boolean,
  untilMs: number,
  hostile: Hostile,
) {
  while (!closed() && performance.now() < untilMs) await sleep(250);
  if (closed()) hostile.closedByServer++;
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
      // Opening: every connection made and every large page asked for within a second or two,
      // a burst of load rather than slowness; its figures are reported apart (`opening`).
      const [opened, opening] = await ctx.ordinary.alongside(target, async () => {
        const lorisSockets = await openMany(target, lorisCount, loris);
        const readerSockets = await openMany(target, readerCount, readers);
        return {
          lorisSockets,
          readerSockets,
          closed: readerSockets.map((s) => askNeverRead(s, target)),
        };
      });
      // Held: the slow clients are there, slowloris trickling a byte a second. The target's
      // phase, compared with the quiet baseline measured before the opening.
      const [, held] = await ctx.ordinary.alongside(target, async () => {
        const until = performance.now() + holdMs;
        await Promise.all([
          ...opened.lorisSockets.map((socket) => slowloris(socket, target, until, loris)),
          ...opened.readerSockets.map((socket, i) =>
            holdReader(socket, opened.closed[i]!, until, readers),
          ),
        ]);
      });
      const ordinary: OrdinaryFigures = {
        ...held,
        failed: held.failed + opening.failed,
        baselineP99Ms: opening.baselineP99Ms,
      };
      const fiveXX = Object.entries(loris.statuses)
        .filter(([status]) => Number(status) >= 500)
        .reduce((sum, [, count]) => sum + count, 0);
      const lost = held.sent - held.answered + opening.sent - opening.answered;
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
        sent: held.sent + opening.sent,
        answered: held.answered + opening.answered,
        failed: ordinary.failed,
        lost,
        fiveXX,
        ordinary,
        opening: { ...opening, baselineP99Ms: undefined },
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
