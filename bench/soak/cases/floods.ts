/**
 * Floods and smuggling (issue #20): headers at and past every limit, 10,000 tiny pipelined
 * requests on one connection, a body on a GET, `Expect: 100-continue`, HTTP/1.0 without Host,
 * absolute-form request lines, duplicate Host and Content-Length, and Transfer-Encoding pairs
 * (CL.TE, TE.CL, TE.TE), over raw sockets, beside ordinary readers.
 *
 * Each hostile request is written together with an ordinary follow-up request on the same
 * socket (pipelined), so that a server that reads the hostile request's framing differently
 * from the follow-up's answers the wrong thing: a desync. After the hostile request's answer,
 * the connection must either be closed, or give the follow-up its own answer (200, the ordinary
 * page) and then nothing more. Target: every answer in the case's expected set, never a 5xx,
 * never a desync, nothing lost; ordinary traffic's p99 within 2 × its quiet p99.
 *
 * nginx answers a Transfer-Encoding it does not know with 501, as RFC 9112 §6.1 says to: those
 * count in `fiveXX` and again in `rfc501`, and are the one 5xx within the target.
 *
 * The floor of that p99 target is measured in the same run: the same flood and readers against
 * a stack whose app is plain Fastify with its own logger (bench/soak/floor-server.ts), reported
 * as `floor` beside each target's figures; a miss whose floor misses too is the machine's.
 *
 * Counts are of hostile requests (the 10,000 pipelined ones included), `lost` being requests
 * sent on a connection that ended without answering them and without announcing the close.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import type {
  CaseFigures,
  OrdinaryFigures,
  OwnStack,
  SoakCase,
  SoakContext,
  SoakTarget,
} from '../case.ts';
import { withinTwiceBaseline } from '../ordinary.ts';
import { RawConnection, type RawResponse, rawRequest } from '../../../test/helpers/raw-http.ts';
import { ORDINARY_PATH } from '../stack.ts';

interface Flood {
  name: string;
  /** The request's bytes, given the target's Host. */
  bytes: (host: string) => string;
  /** The statuses that are a right answer. */
  expect: number[];
}

/** The answer a follow-up must get: the ordinary page. */
const isOrdinaryPage = (answer: RawResponse) =>
  answer.status === 200 && answer.body.includes('<title>Ordinary');

const headers = (count: number, size: number) =>
  Array.from({ length: count }, (_, i) => `X-Flood-${i}: ${'v'.repeat(size)}`);
const get = (host: string, extra: string[] = [], body = '', path = ORDINARY_PATH) =>
  rawRequest(`GET ${path} HTTP/1.1`, [`Host: ${host}`, ...extra], body);
/** What a smuggled request would ask for: its answer showing up would be the desync. */
const SMUGGLED = 'GET /tags/tag-1 HTTP/1.1\r\nX-Smuggled: 1\r\n\r\n';
/** Header-too-large answers: Node's 431, nginx's 400 (its 494 shown as 400) and 414 for a URI. */
const TOO_LARGE = [400, 413, 414, 431];

const FLOODS: Flood[] = [
  { name: 'headers-100', bytes: (h) => get(h, headers(100, 10)), expect: [200] },
  // Node keeps the first 2,000 (maxHeadersCount) and drops the rest; nginx keeps them all.
  { name: 'headers-2500-tiny', bytes: (h) => get(h, headers(2500, 1)), expect: [200, 400, 431] },
  { name: 'header-7kb', bytes: (h) => get(h, headers(1, 7000)), expect: [200] },
  // Past nginx's 8 KiB line buffer, under Node's 16 KiB header limit.
  { name: 'header-9kb', bytes: (h) => get(h, headers(1, 9000)), expect: [200, ...TOO_LARGE] },
  // Past Node's 16 KiB in all, within nginx's 4 × 8 KiB buffers.
  { name: 'headers-3x7kb', bytes: (h) => get(h, headers(3, 7000)), expect: [200, ...TOO_LARGE] },
  { name: 'headers-64kb', bytes: (h) => get(h, headers(8, 8000)), expect: TOO_LARGE },
  { name: 'header-1mb', bytes: (h) => get(h, headers(1, 1 << 20)), expect: TOO_LARGE },
  {
    name: 'uri-9kb',
    bytes: (h) => get(h, [], '', `/posts/${'a'.repeat(9000)}`),
    expect: [404, 414],
  },
  {
    name: 'get-with-body',
    bytes: (h) => get(h, ['Content-Length: 5'], 'hello'),
    expect: [200, 400],
  },
  {
    name: 'get-with-chunked-body',
    bytes: (h) => get(h, ['Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\n\r\n'),
    expect: [200, 400],
  },
  {
    name: 'expect-100-continue',
    bytes: (h) => get(h, ['Expect: 100-continue', 'Content-Length: 5'], 'hello'),
    expect: [200, 400, 417],
  },
  { name: 'expect-unknown', bytes: (h) => get(h, ['Expect: teapot']), expect: [200, 417] },
  {
    name: 'http-1.0-without-host',
    bytes: () => rawRequest(`GET ${ORDINARY_PATH} HTTP/1.0`, []),
    expect: [200],
  },
  {
    name: 'http-1.1-without-host',
    bytes: () => rawRequest(`GET ${ORDINARY_PATH} HTTP/1.1`, []),
    expect: [400],
  },
  {
    name: 'absolute-form',
    bytes: (h) => rawRequest(`GET http://${h}${ORDINARY_PATH} HTTP/1.1`, [`Host: ${h}`]),
    expect: [200],
  },
  {
    name: 'absolute-form-other-host',
    bytes: (h) => rawRequest(`GET http://evil.example${ORDINARY_PATH} HTTP/1.1`, [`Host: ${h}`]),
    expect: [200, 400, 421],
  },
  { name: 'duplicate-host', bytes: (h) => get(h, ['Host: evil.example']), expect: [400] },
  {
    name: 'duplicate-content-length-differing',
    bytes: (h) => get(h, ['Content-Length: 5', 'Content-Length: 6'], 'hello!'),
    expect: [400],
  },
  {
    name: 'duplicate-content-length-same',
    bytes: (h) => get(h, ['Content-Length: 5', 'Content-Length: 5'], 'hello'),
    expect: [200, 400],
  },
  {
    name: 'cl-te',
    bytes: (h) =>
      get(h, ['Content-Length: 6', 'Transfer-Encoding: chunked'], `0\r\n\r\n${SMUGGLED}`),
    expect: [400],
  },
  {
    name: 'te-cl',
    bytes: (h) =>
      get(h, ['Transfer-Encoding: chunked', 'Content-Length: 4'], `5c\r\n${SMUGGLED}\r\n0\r\n\r\n`),
    expect: [400],
  },
  ...[
    'Transfer-Encoding: xchunked',
    'Transfer-Encoding : chunked',
    'Transfer-Encoding: chunked, identity',
    'Transfer-Encoding:\tchunked',
    'Transfer-Encoding: chunked\r\nTransfer-Encoding: identity',
    'Transfer-Encoding: identity\r\nTransfer-Encoding: chunked',
    ' Transfer-Encoding: chunked',
    'Transfer-Encoding: CHUNKED',
  ].map((te, i): Flood => ({
    name: `te-te-${i + 1}`,
    bytes: (h) => get(h, [te, 'Content-Length: 4'], `5c\r\n${SMUGGLED}\r\n0\r\n\r\n`),
    // A transfer coding the server does not know is 501 by RFC 9112 §6.1 (nginx's answer):
    // right, and still counted in `fiveXX`, apart as `rfc501`.
    expect: [400, 501],
  })),
];

interface Outcome {
  answered: boolean;
  status?: number;
  problem?: string;
}

/** One hostile request and its follow-up on one connection. */
async function flood(target: SoakTarget, item: Flood): Promise<Outcome> {
  const connection = new RawConnection(await target.connect());
  try {
    connection.send(item.bytes(target.host) + get(target.host));
    let answer = await connection.read();
    // An interim 100 Continue comes before the answer.
    while (typeof answer !== 'string' && answer.status < 200) answer = await connection.read();
    if (typeof answer === 'string') return { answered: false, problem: `${item.name}: ${answer}` };
    const status = answer.status;
    if (!item.expect.includes(status)) {
      return {
        answered: true,
        status,
        problem: `${item.name}: ${status}, expected ${item.expect.join('/')}`,
      };
    }
    const followUp = await connection.read();
    if (followUp === 'closed') return { answered: true, status };
    if (followUp === 'timeout' || !isOrdinaryPage(followUp)) {
      const got = typeof followUp === 'string' ? followUp : followUp.status;
      return { answered: true, status, problem: `${item.name}: desync, follow-up got ${got}` };
    }
    const extra = await connection.read(300);
    if (typeof extra !== 'string') {
      return {
        answered: true,
        status,
        problem: `${item.name}: desync, extra answer ${extra.status}`,
      };
    }
    return { answered: true, status };
  } finally {
    connection.close();
  }
}

interface PipelineFigures {
  sent: number;
  answered: number;
  failed: number;
  lost: number;
  fiveXX: number;
  /** New connections after the server closed one, announcing it (`Connection: close`). */
  reconnects: number;
  ms: number;
}

/**
 * `count` tiny requests written at once on one connection, every answer read in order. A server
 * may close after an answer that says `Connection: close` (nginx's keepalive_requests): the
 * unanswered rest was never accepted, and goes again on a new connection, as RFC 9112 §9.3.2
 * lets a client do.
 */
async function pipeline(target: SoakTarget, count: number): Promise<PipelineFigures> {
  const started = performance.now();
  const figures = { sent: 0, answered: 0, failed: 0, lost: 0, fiveXX: 0, reconnects: 0, ms: 0 };
  const one = `GET /healthz HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`;
  let left = count;
  while (left > 0 && figures.reconnects < 100) {
    const connection = new RawConnection(await target.connect());
    connection.send(one.repeat(left));
    figures.sent += left;
    let answeredHere = 0;
    let announcedClose = false;
    while (answeredHere < left) {
      const answer = await connection.read();
      if (typeof answer === 'string') break;
      answeredHere++;
      if (answer.status !== 200) figures.failed++;
      if (answer.status >= 500) figures.fiveXX++;
      if (/close/i.test(answer.headers.connection ?? '')) {
        announcedClose = true;
        break;
      }
    }
    connection.close();
    figures.answered += answeredHere;
    // Sent again below: not counted twice.
    figures.sent -= left - answeredHere;
    left -= answeredHere;
    if (left > 0 && !announcedClose) {
      figures.sent += left;
      figures.lost += left;
      break;
    }
    if (left > 0) figures.reconnects++;
  }
  figures.ms = Math.round(performance.now() - started);
  return figures;
}

/** The whole flood on one target: every hostile request in turn, then the pipeline. */
async function floodAll(target: SoakTarget, pipelined: number) {
  const outcomes: Outcome[] = [];
  for (const item of FLOODS) outcomes.push(await flood(target, item));
  return [outcomes, await pipeline(target, pipelined)] as const;
}

const FLOOR_SERVER = 'bench/soak/floor-server.ts';

/**
 * The floor of ordinary traffic's p99 under the flood: a stack whose app is plain Fastify with
 * its own logger (bench/soak/floor-server.ts) answering the ordinary page's exact bytes, fetched
 * from the app here. Its targets are run right after the app's own, in the same run.
 */
async function startFloor(ctx: SoakContext): Promise<{ stack: OwnStack; dir: string }> {
  const direct = ctx.targets.find((target) => target.name === 'direct');
  if (direct === undefined) throw new Error('floods: the floor needs the direct target');
  const page = await request(direct.baseUrl + ORDINARY_PATH, { dispatcher: direct.dispatcher });
  if (page.statusCode !== 200) throw new Error(`floods: ${ORDINARY_PATH} is ${page.statusCode}`);
  const dir = await mkdtemp(join(tmpdir(), 'quire-floods-floor-'));
  const bodyFile = join(dir, 'ordinary.html');
  await writeFile(bodyFile, Buffer.from(await page.body.arrayBuffer()));
  const stack = await ctx.startStack({ server: FLOOR_SERVER, env: { FLOOR_BODY_FILE: bodyFile } });
  return { stack, dir };
}

/** p99 while the flood runs over the quiet p99: the figure the 2 × target bounds. */
const p99Ratio = (figures: OrdinaryFigures) =>
  Math.round((figures.p99Ms / figures.baselineP99Ms) * 100) / 100;

export const floods: SoakCase = {
  name: 'floods',
  async run(ctx) {
    const pipelined = ctx.short ? 1000 : 10_000;
    const figures: Record<string, CaseFigures> = {};
    const floor = await startFloor(ctx);
    try {
      for (const target of ctx.targets) {
        const [[outcomes, pipe], ordinary] = await ctx.ordinary.alongside(target, () =>
          floodAll(target, pipelined),
        );
        const floorTarget = floor.stack.targets.find((t) => t.name === target.name)!;
        const [[, floorPipe], floorOrdinary] = await ctx.ordinary.alongside(floorTarget, () =>
          floodAll(floorTarget, pipelined),
        );
        const statuses: Record<string, number> = {};
        FLOODS.forEach((item, i) => {
          statuses[item.name] = outcomes[i]!.status ?? 0;
        });
        const answered = outcomes.filter((o) => o.answered).length;
        const fiveXX = outcomes.filter((o) => (o.status ?? 0) >= 500).length + pipe.fiveXX;
        const rfc501 = outcomes.filter((o) => o.status === 501 && o.problem === undefined).length;
        const problems = [
          ...outcomes.flatMap((o) => (o.problem === undefined ? [] : [o.problem])),
          ...(pipe.lost + pipe.failed > 0
            ? [`pipeline: ${pipe.failed} failed, ${pipe.lost} lost of ${pipe.sent}`]
            : []),
          ...(withinTwiceBaseline(ordinary)
            ? []
            : [
                `ordinary p99 ${ordinary.p99Ms} ms vs baseline ${ordinary.baselineP99Ms} ms ` +
                  `(${p99Ratio(ordinary)} ×; the floor's ${p99Ratio(floorOrdinary)} ×)`,
              ]),
        ];
        figures[target.name] = {
          sent: FLOODS.length + pipe.sent,
          answered: answered + pipe.answered,
          failed: outcomes.filter((o) => o.problem !== undefined).length + pipe.failed,
          lost: outcomes.length - answered + pipe.lost,
          fiveXX,
          rfc501,
          ordinary,
          p99Ratio: p99Ratio(ordinary),
          statuses,
          pipeline: pipe,
          floor: {
            what: `ordinary readers beside the same flood, the app replaced by ${FLOOR_SERVER} (Fastify with logger: true, WORKERS=2, the same page bytes), measured right after`,
            ordinary: floorOrdinary,
            p99Ratio: p99Ratio(floorOrdinary),
            pipelineMs: floorPipe.ms,
          },
          withinTarget: problems.length === 0 && fiveXX === rfc501,
          problems,
        };
        ctx.log(`${target.name}: ${problems.length} problems`);
      }
    } finally {
      // The floor's stack is stopped by the runner, after the case (bench/soak/context.ts).
      await rm(floor.dir, { recursive: true, force: true });
    }
    return figures;
  },
};
