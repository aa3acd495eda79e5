/**
 * `npm run soak` (issue #20): hostile input against the real stack, the built server
 * (dist/server.js; `npm run soak` builds it first) in cluster mode with WORKERS=2, directly and
 * through the project's nginx config, over real sockets on loopback. Each case is a module under
 * bench/soak/cases/ (interface: bench/soak/case.ts, registry: bench/soak/cases/index.ts); the
 * short version of each runs in `npm run test:system` (test/system/soak/).
 *
 * A benchmark, not a test: it prints ONE JSON object on stdout (progress on stderr), a figure
 * per case and target: requests sent, answered, failed, lost, 5xx, the case's own figures, the
 * p50/p99 of ordinary traffic alongside with its quiet p99 measured just before in the same run,
 * and whether the case met its target. Exits 0 whether or not the targets are met; 1 if it could
 * not run.
 *
 *   npm run soak -- [--short] [--only <case>[,<case>]] [--server dist/server.js] [--timeout 1800]
 *
 * (`npm run --silent soak` leaves npm's own header lines out, for stdout that is JSON alone.)
 *
 * Every case is bounded in time and count and stops by itself; everything runs on 127.0.0.1, and
 * every process is stopped on the way out, whatever happens.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import type { CaseFigures } from './soak/case.ts';
import { CASES } from './soak/cases/index.ts';
import { runCase } from './soak/context.ts';
import { killStacks, startStack } from './soak/stack.ts';

const { values: args } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    only: { type: 'string' },
    server: { type: 'string', default: 'dist/server.js' },
    timeout: { type: 'string', default: '1800' },
  },
});
const log = (message: string) => process.stderr.write(`soak: ${message}\n`);
const names = args.only?.split(',') ?? CASES.map((c) => c.name);
const unknown = names.filter((name) => !CASES.some((c) => c.name === name));
if (unknown.length > 0) {
  throw new Error(
    `--only: no case ${unknown.join(', ')} (cases: ${CASES.map((c) => c.name).join(', ')})`,
  );
}

process.on('exit', killStacks);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    process.exit(1);
  });
}
const overall = setTimeout(
  () => {
    log(`gave up after --timeout ${args.timeout} s`);
    process.exit(1);
  },
  Number(args.timeout) * 1000,
);

try {
  const started = new Date();
  log(`starting ${args.server} (WORKERS=2) and nginx`);
  const stack = await startStack({ server: args.server });
  const cases: Record<string, Record<string, CaseFigures>> = {};
  try {
    for (const soakCase of CASES.filter((c) => names.includes(c.name))) {
      log(`${soakCase.name}…`);
      const caseStarted = performance.now();
      cases[soakCase.name] = await runCase(soakCase, {
        stack,
        short: args.short,
        server: args.server,
        log,
      });
      log(`${soakCase.name}: ${Math.round((performance.now() - caseStarted) / 1000)} s`);
    }
  } finally {
    await stack.stop();
  }
  const report = {
    issue: 20,
    short: args.short,
    started: started.toISOString(),
    seconds: Math.round((Date.now() - started.getTime()) / 1000),
    conditions: `${os.cpus().length} CPUs, Node ${process.version}, ${args.server} with WORKERS=2 and nginx on loopback; load, hostile clients and servers share the same CPUs`,
    cases,
    withinTarget: Object.values(cases).every((figures) =>
      Object.values(figures).every((figure) => figure.withinTarget),
    ),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  clearTimeout(overall);
  killStacks();
}
