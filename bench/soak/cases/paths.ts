/**
 * Paths (issue #20): a generated matrix of traversal and encoding forms against every route
 * family and /assets/, asking for files outside the roots: the canary beside posts/, templates/
 * beside assets/, the repository, /etc/passwd. Target: no answer contains any of them, no 5xx,
 * and every error answer (4xx) is the themed error page or JSON.
 *
 * Sent over raw sockets, so the request line goes out byte for byte as generated (a client
 * library would normalise or refuse most of these). Counts are of requests.
 */
import type { CaseFigures, SoakCase, SoakTarget } from '../case.ts';
import { RawConnection, type RawResponse } from '../../../test/helpers/raw-http.ts';

export const ROUTE_FAMILIES = [
  '/',
  '/posts/',
  '/tags/',
  '/tags/soak/',
  '/page/',
  '/archive/',
  '/search/',
  '/search?q=',
  '/feed.xml/',
  '/assets/',
  '/media/',
];

/** One step up, in every spelling. */
const UP = [
  '../',
  '..%2f',
  '%2e%2e/',
  '%2e%2e%2f',
  '%2E%2E%2F',
  '.%2e/',
  '%252e%252e%252f',
  '%c0%ae%c0%ae/',
  '%c0%ae%c0%ae%c0%af',
  '..\\',
  '..%5c',
  '%2e%2e%5c',
  '..//',
  './/..//',
  '..;/',
  '..%00/',
  '..%2500/',
  '%ef%bc%8e%ef%bc%8e%ef%bc%8f', // fullwidth ．．／
  '%e2%80%a5/', // two dot leader ‥
  '..%e2%88%95', // division slash ∕
  '\u2025/', // ‥ unencoded, bytes as they come
];
const DEPTHS = [1, 2, 3, 6];
/** Where a step up could reach from posts/, templates/assets/ or the working directory. */
const TARGETS = [
  'secret.txt',
  'posts/../secret.txt',
  'templates/base.njk',
  'base.njk',
  'package.json',
  'etc/passwd',
];
const SUFFIXES = ['', '%00', '%00.css', '?download=1'];

/** Every generated path, in a fixed order. */
export function pathMatrix(): string[] {
  const paths = new Set<string>();
  for (const family of ROUTE_FAMILIES) {
    for (const up of UP) {
      for (const depth of DEPTHS) {
        for (const target of TARGETS) {
          for (const suffix of SUFFIXES) paths.add(family + up.repeat(depth) + target + suffix);
        }
      }
    }
    // Absolute paths and doubled slashes straight after the family.
    for (const target of [
      '/etc/passwd',
      '//etc/passwd',
      '%2fetc%2fpasswd',
      'C:\\Windows\\win.ini',
    ]) {
      paths.add(family + target);
    }
    // 64 KB paths: one long name, and the ladder that long.
    paths.add(family + 'a'.repeat(65_536));
    paths.add(family + '../'.repeat(21_846) + 'etc/passwd');
  }
  return [...paths];
}

/** The app's themed error page, or nginx's own themed pages (nginx/html/). */
const isThemedHtml = (body: string) =>
  /<link rel="stylesheet" href="\/assets\/style\.[^"]*css"/.test(body) && /<h1[ >]/.test(body);
const isErrorJson = (body: string) => {
  try {
    const parsed = JSON.parse(body) as { statusCode?: unknown };
    return typeof parsed.statusCode === 'number';
  } catch {
    return false;
  }
};

interface Tally {
  sent: number;
  answered: number;
  failed: number;
  lost: number;
  fiveXX: number;
  /** Answers holding a file from outside the roots. */
  leaks: number;
  /** 4xx answers that were neither the themed page nor JSON. */
  unthemed: number;
  statuses: Record<number, number>;
  problems: string[];
}

function check(path: string, answer: RawResponse, secrets: string[], tally: Tally): void {
  tally.answered++;
  tally.statuses[answer.status] = (tally.statuses[answer.status] ?? 0) + 1;
  const problems: string[] = [];
  const leaked = secrets.find((secret) => answer.body.includes(secret));
  if (leaked !== undefined) {
    tally.leaks++;
    problems.push(`holds "${leaked}"`);
  }
  if (answer.status >= 500) {
    tally.fiveXX++;
    problems.push(String(answer.status));
  }
  if (answer.status >= 400 && !isThemedHtml(answer.body) && !isErrorJson(answer.body)) {
    tally.unthemed++;
    problems.push(`${answer.status}, not the themed page: ${answer.body.slice(0, 80)}`);
  }
  if (problems.length > 0) {
    tally.failed++;
    if (tally.problems.length < 20)
      tally.problems.push(`${path.slice(0, 120)}: ${problems.join('; ')}`);
  }
}

/** Sends `paths` in order on one keep-alive connection, opening another when one ends. */
async function walk(target: SoakTarget, paths: string[], secrets: string[], tally: Tally) {
  let connection: RawConnection | undefined;
  for (const path of paths) {
    connection ??= new RawConnection(await target.connect());
    tally.sent++;
    connection.send(`GET ${path} HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`);
    const answer = await connection.read();
    if (typeof answer === 'string') {
      // A connection closed after its answer is fine; one closed instead of answering is not.
      tally.lost++;
      tally.failed++;
      if (tally.problems.length < 20) tally.problems.push(`${path.slice(0, 120)}: ${answer}`);
      connection.close();
      connection = undefined;
      continue;
    }
    check(path, answer, secrets, tally);
    if (/close/i.test(answer.headers.connection ?? '') || connection.closed) {
      connection.close();
      connection = undefined;
    }
  }
  connection?.close();
}

export const paths: SoakCase = {
  name: 'paths',
  async run(ctx) {
    const all = pathMatrix();
    // The short version: every 25th path, the 64 KB ones always.
    const chosen = ctx.short ? all.filter((p, i) => i % 25 === 0 || p.length > 60_000) : all;
    const figures: Record<string, CaseFigures> = {};
    for (const target of ctx.targets) {
      const tally: Tally = {
        sent: 0,
        answered: 0,
        failed: 0,
        lost: 0,
        fiveXX: 0,
        leaks: 0,
        unthemed: 0,
        statuses: {},
        problems: [],
      };
      const parallel = 4;
      await Promise.all(
        Array.from({ length: parallel }, (_, lane) =>
          walk(
            target,
            chosen.filter((_, i) => i % parallel === lane),
            ctx.secrets,
            tally,
          ),
        ),
      );
      const { problems, ...counts } = tally;
      figures[target.name] = {
        ...counts,
        withinTarget: tally.failed === 0,
        problems,
      };
      ctx.log(`${target.name}: ${tally.sent} paths, ${tally.failed} failed`);
    }
    return figures;
  },
};
