/**
 * `npm run bench:container`: how soon the production image is ready (issue #7 target: within
 * 2 s of start), measured the way an operator starts it (read-only, tmpfs /tmp, the default
 * cluster of one worker per core), against a reference measured in the same run: the same
 * image running a one-line Node HTTP server, which costs the same container start and Node
 * boot but none of Quire's work. The machine is shared, so the ratio is the figure to compare;
 * the CPU time the container used until ready is reported too (cgroup v1 or v2).
 *
 * A benchmark, not a test: it prints one JSON object on stdout and exits 0 whether or not the
 * target is met; 1 if it could not run. Builds the image first if needed (podman, stand-ins).
 *
 *   npm run bench:container -- [--rounds 3] [--tag localhost/quire:test]
 *
 * `--tag`: the tag to build this checkout's image as, so that two checkouts (a before and an
 * after, or another session's build) can be measured side by side without retagging each other.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { mustRun, run } from '../test/system/containers/command.ts';
import { uniqueName } from '../test/system/containers/containers.ts';
import { buildImage, PRODUCTION_IMAGE } from '../test/system/containers/images.ts';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    tag: { type: 'string', default: PRODUCTION_IMAGE },
  },
});
const rounds = Number(values.rounds);

/** The reference: the same image, container start and Node boot, none of Quire's work. */
const REFERENCE_OPTIONS = ['--entrypoint', 'node'];
const REFERENCE_COMMAND = [
  '-e',
  "require('node:http').createServer((q, s) => s.end('ok')).listen(3000, '0.0.0.0')",
];

interface Start {
  /** From the container's process start (podman's StartedAt) to the first 200 from /readyz. */
  afterProcessStartMs: number;
  /** From running `podman start` to the first 200 (adds the runtime's own start). */
  afterPodmanStartMs: number;
  cpuMs: number | undefined;
}

async function cpuMs(container: string): Promise<number | undefined> {
  const path = (
    await mustRun('podman', ['inspect', '--format', '{{.State.CgroupPath}}', container])
  ).stdout.trim();
  const v1 = await readFile(`/sys/fs/cgroup/cpuacct${path}/cpuacct.usage`, 'utf8').catch(() => '');
  if (v1) return Math.round(Number(v1) / 1e6);
  const v2 = await readFile(`/sys/fs/cgroup${path}/cpu.stat`, 'utf8').catch(() => '');
  const usec = /^usage_usec (\d+)$/m.exec(v2)?.[1];
  return usec === undefined ? undefined : Math.round(Number(usec) / 1e3);
}

async function start(image: string, extra: readonly string[], command: readonly string[]) {
  const name = uniqueName('bench');
  try {
    await mustRun('podman', [
      'create',
      '--name',
      name,
      '--read-only',
      '--tmpfs',
      '/tmp',
      '--publish',
      '127.0.0.1::3000',
      ...extra,
      image,
      ...command,
    ]);
    const started = performance.now();
    await mustRun('podman', ['start', name]);
    const port = /:(\d+)\s*$/m.exec(
      (await mustRun('podman', ['port', name, '3000/tcp'])).stdout,
    )?.[1];
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`, {
        signal: AbortSignal.timeout(1000),
      })
        .then((response) => response.status === 200)
        .catch(() => false);
      if (ok) break;
      if (performance.now() - started > 60_000) throw new Error(`${name} not ready in 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const readyAt = Date.now();
    const afterPodmanStartMs = Math.round(performance.now() - started);
    const startedAt = Date.parse(
      (
        await mustRun('podman', [
          'inspect',
          '--format',
          '{{.State.StartedAt.Format "2006-01-02T15:04:05.000Z07:00"}}',
          name,
        ])
      ).stdout.trim(),
    );
    return {
      afterProcessStartMs: readyAt - startedAt,
      afterPodmanStartMs,
      cpuMs: await cpuMs(name),
    } satisfies Start;
  } finally {
    await run('podman', ['rm', '--force', '--time', '2', name]);
  }
}

const median = (numbers: number[]) =>
  [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)] ?? NaN;

try {
  const image = values.tag;
  await buildImage({ target: 'prod', tag: image });
  const quire: Start[] = [];
  const reference: Start[] = [];
  for (let round = 0; round < rounds; round++) {
    // Alternating, so both see the same load on this shared machine.
    quire.push(await start(image, [], []));
    reference.push(await start(image, REFERENCE_OPTIONS, REFERENCE_COMMAND));
    process.stderr.write(`round ${round + 1}/${rounds} done\n`);
  }
  const quireMedian = median(quire.map((s) => s.afterProcessStartMs));
  const referenceMedian = median(reference.map((s) => s.afterProcessStartMs));
  const load = (await readFile('/proc/loadavg', 'utf8')).split(' ').slice(0, 3).map(Number);
  process.stdout.write(
    `${JSON.stringify({
      image,
      rounds,
      loadAverage: load,
      quire,
      reference,
      quireReadyMedianMs: quireMedian,
      referenceReadyMedianMs: referenceMedian,
      quireOverReference: +(quireMedian / referenceMedian).toFixed(2),
      quireOwnStartMedianMs: quireMedian - referenceMedian,
      target: { readyWithinMs: 2000, met: quireMedian <= 2000 },
    })}\n`,
  );
} catch (error) {
  process.stderr.write(`bench:container: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
}
