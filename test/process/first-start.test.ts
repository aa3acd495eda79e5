/**
 * What a person starting Quire for the first time sees (issue #19): on a terminal (a real
 * pseudo-terminal, util-linux `script`), one line with the address to open, once even for a
 * cluster; with SITE_URL unset, links that name that address; a second Quire that would clash
 * on the metrics port stopping before it listens on anything, with one line naming
 * METRICS_PORT; and a metrics server only this machine reaches unless told otherwise.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { renderedSampleCache } from '../helpers/rendered-sample.ts';
import { exitWithin, freePort, startServer } from '../helpers/server-process.ts';
import { requireTools } from '../helpers/require-tool.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SERVER = fileURLToPath(new URL('../../src/server.ts', import.meta.url));
const ANNOUNCED = /^Quire: serving (\d+) posts at (http:\/\/\S+)\r?$/gm;
const script = requireTools(['script'], 'apt-get install util-linux');

/** `src/server.ts` with its stdout on a pseudo-terminal; everything it printed, as text. */
function startOnTerminal(env: Record<string, string>) {
  const child = spawn('script', ['-qfec', `'${process.execPath}' '${SERVER}'`, '/dev/null'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      PORT: '0',
      METRICS_PORT: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = once(child, 'exit');
  const stop = () => {
    try {
      process.kill(-(child.pid as number), 'SIGTERM');
    } catch {
      // gone already
    }
    return exited;
  };
  after(async () => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // gone already
    }
  });
  /** Waits until `count` lines match `pattern` (global), then a moment more for any extra. */
  const lines = async (pattern: RegExp, count: number) => {
    const until = Date.now() + 30_000;
    while ([...output.matchAll(pattern)].length < count) {
      if (Date.now() > until) throw new Error(`waited for ${pattern} ${count}×:\n${output}`);
      await sleep(50);
    }
    await sleep(500);
    return [...output.matchAll(pattern)];
  };
  return { lines, stop, output: () => output };
}

describe('on a terminal', { skip: script.skip }, () => {
  for (const workers of ['1', '2']) {
    it(`prints one line to click, SITE_URL names it when unset (WORKERS=${workers})`, async () => {
      const quire = startOnTerminal({
        WORKERS: workers,
        POSTS_DIR: 'posts',
        CACHE_DIR: await renderedSampleCache(),
      });
      // Every worker has listened before the lines are counted.
      await quire.lines(/Server listening at/g, Number(workers));
      const announced = await quire.lines(ANNOUNCED, 1);
      assert.equal(announced.length, 1, quire.output());
      const [, posts, url = ''] = announced[0] as RegExpMatchArray;
      assert.match(url, /^http:\/\/localhost:\d+$/);
      // As many as the archive lists: published now, so neither drafts nor scheduled posts.
      const archive = await (await fetch(`${url}/archive/`)).text();
      assert.equal(Number(posts), archive.match(/<li><time /g)?.length);
      const page = await fetch(`${url}/posts/writing-a-post`);
      assert.equal(page.status, 200);
      assert.match(
        await page.text(),
        new RegExp(`<link rel="canonical" href="${url}/posts/writing-a-post">`),
      );
      await quire.stop();
    });
  }
});

describe('SITE_URL unset', () => {
  for (const workers of ['1', '2']) {
    it(`is http://localhost:<the port Quire listens on>, PORT 0 resolved (WORKERS=${workers})`, async () => {
      const server = startServer({
        WORKERS: workers,
        POSTS_DIR: 'posts',
        CACHE_DIR: await renderedSampleCache(),
      });
      const base = await server.listening;
      const local = `http://localhost:${new URL(base).port}`;
      const robots = await (await fetch(`${base}/robots.txt`)).text();
      assert.match(robots, new RegExp(`^Sitemap: ${local}/sitemap\\.xml$`, 'm'));
      const page = await (await fetch(`${base}/posts/writing-a-post`)).text();
      assert.ok(page.includes(`<link rel="canonical" href="${local}/posts/writing-a-post">`));
      server.child.kill('SIGTERM');
      assert.equal(await exitWithin(server, 10_000), 0);
    });
  }
});

/** Whether something accepts connections on `host:port`. */
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, host);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('a second Quire', () => {
  for (const workers of ['1', '2']) {
    it(`on another PORT but the same METRICS_PORT stops before listening, naming METRICS_PORT (WORKERS=${workers})`, async () => {
      const metricsPort = await freePort();
      const first = startServer({
        POSTS_DIR: 'posts',
        CACHE_DIR: await renderedSampleCache(),
        WORKERS: '1',
        METRICS_PORT: String(metricsPort),
      });
      await first.waitForLine((line) => line.msg === 'metrics listening');
      const port = await freePort();
      const second = startServer({
        POSTS_DIR: 'posts',
        CACHE_DIR: await renderedSampleCache(),
        WORKERS: workers,
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
      });
      assert.equal(await exitWithin(second, 15_000), 1);
      const lines = second.logLines();
      assert.deepEqual(
        lines.filter((line) => line.level === 'fatal').map((line) => line.msg),
        [
          `METRICS_PORT ${metricsPort} is in use on 127.0.0.1 (another Quire?): set METRICS_PORT to a free port`,
        ],
      );
      assert.ok(!lines.some((line) => line.msg === 'site loaded'), 'stopped before the load');
      assert.equal(await accepts('127.0.0.1', port), false, 'nothing listens on its PORT');
      assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).status, 200);
      first.child.kill('SIGTERM');
      assert.equal(await exitWithin(first, 10_000), 0);
    });
  }
});

describe('the metrics server', () => {
  it('stops the start with one line naming METRICS_HOST when it is no address of this machine', async () => {
    const server = startServer({
      POSTS_DIR: 'posts',
      CACHE_DIR: await renderedSampleCache(),
      WORKERS: '1',
      METRICS_HOST: '192.0.2.1', // TEST-NET-1 (RFC 5737): never a local address
    });
    assert.equal(await exitWithin(server, 15_000), 1);
    const fatal = server.logLines().filter((line) => line.level === 'fatal');
    assert.equal(fatal.length, 1);
    assert.match(
      String(fatal[0]?.msg),
      /^cannot listen on 192\.0\.2\.1:0 \(METRICS_HOST, METRICS_PORT\): listen EADDRNOTAVAIL/,
    );
  });

  const outside = Object.values(networkInterfaces())
    .flat()
    .find((address) => address?.family === 'IPv4' && !address.internal)?.address;

  it(
    'listens on loopback only unless METRICS_HOST says otherwise',
    { skip: outside === undefined && 'no non-loopback IPv4 address' },
    async () => {
      for (const [metricsHost, reachable] of [
        [undefined, false],
        ['0.0.0.0', true],
      ] as const) {
        const metricsPort = await freePort();
        const server = startServer({
          POSTS_DIR: 'posts',
          CACHE_DIR: await renderedSampleCache(),
          WORKERS: '1',
          HOST: '0.0.0.0',
          METRICS_PORT: String(metricsPort),
          ...(metricsHost === undefined ? {} : { METRICS_HOST: metricsHost }),
        });
        await server.waitForLine((line) => line.msg === 'metrics listening');
        assert.equal(await accepts('127.0.0.1', metricsPort), true);
        assert.equal(
          await accepts(outside as string, metricsPort),
          reachable,
          `METRICS_HOST ${metricsHost}`,
        );
        server.child.kill('SIGTERM');
        assert.equal(await exitWithin(server, 10_000), 0);
      }
    },
  );
});
