import assert from 'node:assert/strict';
import { cp, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { steadyLoad } from '../helpers/load.ts';
import { SAMPLE_PAGES, SAMPLE_POSTS, tempDir } from '../helpers/posts-dir.ts';
import { renderedSampleCache } from '../helpers/rendered-sample.ts';
import {
  exitWithin,
  freePort,
  type ServerProcess,
  startServer,
} from '../helpers/server-process.ts';

const PAGE = '/posts/writing-a-post';
const SAMPLE_DIR = fileURLToPath(new URL('../../posts/', import.meta.url));

interface Cluster {
  server: ServerProcess;
  base: string;
  metricsUrl: string;
  workerPids: () => number[];
}

async function startCluster(env: Record<string, string> = {}): Promise<Cluster> {
  const server = startServer({
    WORKERS: '2',
    // A fixed port: with PORT=0, workers forked after all others died would get a new one.
    PORT: String(await freePort()),
    TEST_ROUTES: 'true',
    METRICS_PORT: '0',
    POSTS_DIR: 'posts',
    CACHE_DIR: await renderedSampleCache(),
    ...env,
  });
  const metrics = await server.waitForLine((l) => l.msg === 'metrics listening');
  const workerPids = () => [
    ...new Set(
      server
        .logLines()
        .filter((l) => l.msg?.startsWith('Server listening'))
        .map((l) => l.pid as number),
    ),
  ];
  // Both workers share the port; wait until both listen.
  const until = Date.now() + 20_000;
  while (workerPids().length < 2 && Date.now() < until) await sleep(25);
  assert.equal(workerPids().length, 2, 'two workers listening');
  const base = await server.listening;
  return {
    server,
    base,
    metricsUrl: `http://127.0.0.1:${String(metrics.quire?.port)}/metrics`,
    workerPids,
  };
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Sums a metric's samples whose labels include every given label. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      total += Number(line.split(' ').at(-1));
  }
  return total;
}

describe('cluster mode', () => {
  it('loads once in the primary; the workers read no post, only the index it wrote', async () => {
    const root = await tempDir();
    const postsDir = join(root, 'posts');
    await cp(SAMPLE_DIR, postsDir, { recursive: true });
    // An empty cache: the primary renders every post and page.
    const { server, base, workerPids } = await startCluster({
      POSTS_DIR: postsDir,
      CACHE_DIR: await tempDir(),
    });
    const loaded = server.logLines().filter((l) => l.msg === 'site loaded');
    assert.deepEqual(
      loaded.map((l) => l.quire?.rendered),
      [SAMPLE_POSTS + SAMPLE_PAGES],
      'the primary alone loads, and renders every post and page',
    );
    assert.equal(server.logLines().filter((l) => l.msg === 'site index opened').length, 2);

    // With the posts gone, a new worker still starts and serves every post: it never reads one.
    await rename(postsDir, join(root, 'away'));
    const [victim] = workerPids();
    process.kill(victim as number, 'SIGKILL');
    await server.waitForLine((l) => l.msg === 'worker replaced');
    const until = Date.now() + 10_000;
    while (server.logLines().filter((l) => l.msg === 'site index opened').length < 3) {
      assert.ok(Date.now() < until, 'the replacement opened the index');
      await sleep(25);
    }
    await sleep(200); // until the replacement listens
    const agent = new Agent({ pipelining: 0 }); // a connection per request: both workers answer
    for (const slug of ['writing-a-post', 'welcome-to-quire', 'deploying-quire']) {
      for (let i = 0; i < 4; i++) {
        const response = await request(`${base}/posts/${slug}`, { dispatcher: agent, reset: true });
        assert.equal(response.statusCode, 200, slug);
        await response.body.dump();
      }
    }
    await agent.close();
    assert.equal(server.logLines().filter((l) => l.msg === 'site loaded').length, 1);
    server.child.kill('SIGTERM');
    assert.equal(await exitWithin(server, 15_000), 0);
  });

  it('SIGTERM to the primary under steady load: no accepted request fails, all workers exit, the primary exits 0', async () => {
    const { server, base, workerPids } = await startCluster({ SHUTDOWN_DELAY_MS: '300' });
    const stop = new AbortController();
    const load = steadyLoad(`${base}${PAGE}`, {
      connections: 8,
      signal: stop.signal,
      maxMs: 20_000,
    });
    await sleep(1500);
    server.child.kill('SIGTERM');
    const code = await exitWithin(server, 15_000);
    await sleep(300);
    stop.abort();
    const result = await load;

    assert.equal(code, 0);
    // A request is accepted when a worker reads it. Every one of them was
    // answered 200 and reached the client: the workers' access log and the
    // client agree exactly, and no worker logged anything else.
    const answered = server
      .logLines()
      .filter((l) => l.msg === 'request completed' && l.quire?.route === '/posts/:slug');
    assert.ok(answered.every((l) => l.quire?.statusCode === 200));
    assert.equal(
      answered.length,
      result.statuses[200],
      'every accepted request reached the client',
    );
    assert.deepEqual(Object.keys(result.statuses), ['200'], 'every answer was a 200');
    assert.ok((result.statuses[200] ?? 0) > 100, `steady load (${result.statuses[200]} answers)`);
    assert.equal(
      server.logLines().filter((l) => l.level === 'error' || l.level === 'fatal').length,
      0,
    );
    // What is left are connections that no worker ever read (the counts above
    // agree): refused, reset, or closed by the server with the request still
    // unread in the kernel's buffer ("other side closed"), when the listeners
    // and idle connections closed.
    const unread = new Set(['ECONNRESET', 'UND_ERR_SOCKET']);
    assert.ok(
      result.failures.every((failure) => unread.has(failure)),
      `only connection-level failures: ${result.failures.join(', ')}`,
    );
    assert.ok(
      result.refused + result.failures.length > 0,
      'new connections were turned away after the shutdown',
    );
    for (const pid of workerPids()) assert.equal(isAlive(pid), false, `worker ${pid} exited`);
  });

  it('replaces a worker killed with SIGKILL; only requests on that worker can fail', async () => {
    const { server, base, workerPids } = await startCluster();
    const [victim] = workerPids();
    const stop = new AbortController();
    const connections = 8;
    const load = steadyLoad(`${base}${PAGE}`, { connections, signal: stop.signal, maxMs: 20_000 });
    await sleep(1000);
    process.kill(victim as number, 'SIGKILL');
    const replaced = await server.waitForLine((l) => l.msg === 'worker replaced', 10_000);
    await server.waitForLine(
      (l) => l.msg?.startsWith('Server listening') === true && l.pid === replaced.quire?.workerPid,
    );
    await sleep(1000);
    stop.abort();
    const result = await load;

    assert.ok(
      result.failures.length <= connections,
      `at most one request per connection on the dead worker: ${result.failures.join(', ')}`,
    );
    assert.deepEqual(Object.keys(result.statuses), ['200']);
    assert.ok(
      server.logLines().some((l) => l.msg === 'worker died' && l.quire?.signal === 'SIGKILL'),
    );
    const metrics = await (await request(`${await startMetricsUrl(server)}`)).body.text();
    assert.equal(sample(metrics, 'quire_worker_restarts_total'), 1);
    server.child.kill('SIGTERM');
    assert.equal(await exitWithin(server, 15_000), 0);
  });

  it('a fatal error in a worker: one parseable fatal line with the stack, the worker is replaced', async () => {
    const { server, base, workerPids } = await startCluster();
    const response = await request(`${base}/__test/crash`);
    const { crashing } = (await response.body.json()) as { crashing: number };
    assert.ok(workerPids().includes(crashing));
    const replaced = await server.waitForLine((l) => l.msg === 'worker replaced', 10_000);
    const fatal = server.logLines().filter((l) => l.level === 'fatal');
    assert.equal(fatal.length, 1);
    assert.equal(fatal[0]?.pid, crashing);
    assert.match(
      String((fatal[0]?.quire?.err as { stack?: string }).stack),
      /test crash requested\n\s+at /,
    );
    assert.notEqual(replaced.quire?.workerPid, crashing);
    server.child.kill('SIGTERM');
    assert.equal(await exitWithin(server, 15_000), 0);
  });

  it('exits non-zero when workers crash-loop', async () => {
    const { server, base } = await startCluster({ CRASH_LOOP_RESTARTS: '2' });
    const agent = new Agent({ pipelining: 0, headersTimeout: 2000, bodyTimeout: 2000 });
    const until = Date.now() + 30_000;
    while (server.child.exitCode === null && Date.now() < until) {
      await request(`${base}/__test/crash`, { dispatcher: agent }).then(
        (r) => r.body.dump(),
        () => sleep(50),
      );
    }
    assert.equal(await exitWithin(server, 5000), 1);
    const fatal = server
      .logLines()
      .find((l) => l.level === 'fatal' && l.msg?.startsWith('workers crashed'));
    assert.match(String(fatal?.msg), /^workers crashed 3 times in 60000 ms: exiting/);
  });

  it('counts requests across workers exactly, and a stopped worker cannot hang a scrape', async () => {
    const { server, base, metricsUrl, workerPids } = await startCluster();
    const K = 120;
    const agent = new Agent({ pipelining: 0, connections: 6 });
    const servedBy = new Set<number>();
    await Promise.all(
      Array.from({ length: K }, async () => {
        const response = await request(`${base}/__test/pid`, { dispatcher: agent });
        servedBy.add(((await response.body.json()) as { pid: number }).pid);
      }),
    );
    assert.equal(servedBy.size, 2, 'both workers served requests');
    await agent.close();
    const text = await (await request(metricsUrl)).body.text();
    assert.equal(sample(text, 'quire_http_requests_total', { route: '/__test/pid' }), K);
    assert.equal(
      sample(text, 'quire_http_request_duration_seconds_count', { route: '/__test/pid' }),
      K,
    );
    assert.equal(sample(text, 'quire_posts'), SAMPLE_POSTS);
    // The primary's load, from the rendered sample's cache: every post and page a hit.
    assert.equal(sample(text, 'quire_render_cache_hits_total'), SAMPLE_POSTS + SAMPLE_PAGES);
    assert.equal(sample(text, 'quire_render_cache_misses_total'), 0);
    assert.doesNotMatch(text, /# TYPE \S+ summary/);
    for (const name of text.matchAll(/^# TYPE (\S+)/gm)) assert.match(name[1] as string, /^quire_/);

    const [stopped] = workerPids();
    process.kill(stopped as number, 'SIGSTOP');
    try {
      const started = Date.now();
      const partial = await (await request(metricsUrl, { headersTimeout: 5000 })).body.text();
      assert.ok(Date.now() - started < 3000, `scrape answered in ${Date.now() - started} ms`);
      assert.equal(sample(partial, 'quire_metrics_workers_missing'), 1);
    } finally {
      process.kill(stopped as number, 'SIGCONT');
    }
    server.child.kill('SIGTERM');
    assert.equal(await exitWithin(server, 15_000), 0);
  });
});

async function startMetricsUrl(server: ServerProcess): Promise<string> {
  const line = await server.waitForLine((l) => l.msg === 'metrics listening');
  return `http://127.0.0.1:${String(line.quire?.port)}/metrics`;
}
