/**
 * The production image as an operator runs it (issue #7): read-only root filesystem with a
 * tmpfs for /tmp, the cluster of workers the image starts by default, uid 1000, ready at once
 * from the render cache baked in at build time, and a `podman stop` that lets requests finish.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { requireTools } from '../../helpers/require-tool.ts';
import { mustRun, run } from './command.ts';
import { createContainer, inspect, logsOf, publishedPort, waitFor200 } from './containers.ts';
import { ensureProductionImage } from './images.ts';

const tools = requireTools(
  ['podman', 'buildah', 'debootstrap', 'runc', 'tar'],
  'apt-get install podman buildah debootstrap runc; see .ci/packages/containers.txt',
);

/** How an operator runs it: no writable root filesystem, only a tmpfs for /tmp. */
const HARDENED = ['--read-only', '--tmpfs', '/tmp', '--publish', '127.0.0.1::3000'];

describe('the production image', { skip: tools.skip, timeout: 60 * 60_000 }, () => {
  let image: string;
  before(async () => {
    image = await ensureProductionImage();
  });

  // The 2 s target is a performance figure, measured by `npm run bench:container` against a
  // same-run reference (this machine is shared and its load swings). Here: it becomes ready
  // without rendering anything, which is what makes it fast.
  it('starts ready from the render cache baked in at build time: read-only, uid 1000, serving the posts', async () => {
    const container = await createContainer([...HARDENED, image], 'prod');
    const started = performance.now();
    await mustRun('podman', ['start', container]);
    const port = await publishedPort(container, 3000);
    await waitFor200(`http://127.0.0.1:${port}/readyz`, 30_000, 10);
    const readyMs = Math.round(performance.now() - started);
    process.stdout.write(`${JSON.stringify({ prodReadyAfterPodmanStartMs: readyMs })}\n`);

    const home = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(home.status, 200);
    const html = await home.text();
    const post = /href="(\/posts\/[^"#?]+)"/.exec(html)?.[1];
    assert.ok(post, 'the home page links to a post');
    assert.equal((await fetch(`http://127.0.0.1:${port}${post}`)).status, 200);

    assert.equal(await inspect(container, '{{.Config.User}}'), '1000:1000');
    const ids = await mustRun('podman', [
      'exec',
      container,
      'sh',
      '-c',
      "id -u; id -g; grep -h '^Uid:' /proc/[0-9]*/status | cut -f2 | sort -u",
    ]);
    assert.deepEqual(ids.stdout.trim().split(/\s+/), ['1000', '1000', '1000']);
    const write = await run('podman', ['exec', container, 'sh', '-c', 'touch /app/x || touch /x']);
    assert.notEqual(write.code, 0, 'the root filesystem is writable');
    assert.match(write.stderr, /Read-only file system/);

    // Every post came from the cache rendered at build time: nothing rendered at start.
    const lines = (await logsOf(container)).split('\n').filter((line) => line.startsWith('{'));
    const loaded = lines
      .map((line) => JSON.parse(line))
      .filter((line) => line.quire?.rendered !== undefined);
    assert.ok(loaded.length > 0, `no load report in the logs:\n${lines.join('\n')}`);
    for (const line of loaded) assert.equal(line.quire.rendered, 0, JSON.stringify(line));

    // The build drew the posts' social cards into that cache (`render --cards`): a card is served
    // from the image, not drawn into the memory of a process that cannot write its cache.
    const withCard = await (await fetch(`http://127.0.0.1:${port}/posts/writing-a-post`)).text();
    const card = /<meta property="og:image" content="[^"]*?(\/media\/[^"]+-card\.png)"/.exec(
      withCard,
    )?.[1];
    assert.ok(card, 'a post without a cover names its social card');
    const png = await fetch(`http://127.0.0.1:${port}${card}`);
    assert.equal(png.status, 200);
    assert.equal(png.headers.get('content-type'), 'image/png');
    const warnings = (await logsOf(container))
      .split('\n')
      .filter((line) => /"level":"warn"/.test(line));
    assert.deepEqual(warnings, [], 'no warning: the card was not drawn');
  });

  it('reports healthy through its HEALTHCHECK (Docker format keeps it)', async () => {
    const container = await createContainer([...HARDENED, image], 'prod-health');
    await mustRun('podman', ['start', container]);
    await waitFor200(`http://127.0.0.1:${await publishedPort(container, 3000)}/readyz`, 10_000);
    assert.match(await inspect(container, '{{.Config.Healthcheck.Test}}'), /healthcheck\.js/);
    const check = await run('podman', ['healthcheck', 'run', container]);
    assert.equal(check.code, 0, `${check.stdout}${check.stderr}`);
  });

  it('`podman stop` lets requests in flight complete and exits 0 within 10 s', async () => {
    const container = await createContainer(
      [...HARDENED, '--env', 'TEST_ROUTES=true', '--env', 'SHUTDOWN_TIMEOUT_MS=8000', image],
      'prod-stop',
    );
    await mustRun('podman', ['start', container]);
    const port = await publishedPort(container, 3000);
    await waitFor200(`http://127.0.0.1:${port}/readyz`, 10_000);

    const inFlight = Array.from({ length: 20 }, () =>
      request(`http://127.0.0.1:${port}/__test/slow?ms=3000`, {
        dispatcher: new Agent({ pipelining: 0 }),
      }).then(async (response) => ({
        status: response.statusCode,
        body: (await response.body.json()) as { sleptMs: number; pid: number },
      })),
    );
    await sleep(500); // every request is now sleeping in a worker
    const stopping = performance.now();
    const stop = await run('podman', ['stop', '--time', '10', container]);
    const stopMs = performance.now() - stopping;
    const answers = await Promise.all(inFlight);

    assert.equal(stop.code, 0, stop.stderr);
    assert.ok(stopMs < 10_000, `podman stop took ${Math.round(stopMs)} ms`);
    for (const answer of answers)
      assert.deepEqual(answer, { status: 200, body: { sleptMs: 3000, pid: answer.body.pid } });
    assert.equal(await inspect(container, '{{.State.ExitCode}}'), '0', await logsOf(container));
    process.stdout.write(
      `${JSON.stringify({ podmanStopWithRequestsInFlightMs: Math.round(stopMs) })}\n`,
    );
  });
});
