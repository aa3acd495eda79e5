import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { SAMPLE_PAGES, SAMPLE_POSTS, tempDir, writePosts } from './helpers/posts-dir.ts';
import { exitWithin, freePort, startServer } from './helpers/server-process.ts';
import {
  PRIMARY_NODE_FLAGS,
  SERVING_ENV,
  SERVING_NODE_FLAGS,
} from '../src/process/serving-runtime.ts';

const TOP_LEVEL_KEYS = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'quire']);

function parseLines(lines: string[]): Record<string, unknown>[] {
  return lines.map((line, index) => {
    assert.doesNotThrow(() => JSON.parse(line), `stdout line ${index + 1} is not JSON: ${line}`);
    return JSON.parse(line) as Record<string, unknown>;
  });
}

async function refusesConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('the server process', () => {
  it('logs only JSON lines: ISO time at the top level, our fields under "quire", one line per request', async () => {
    const cacheDir = await tempDir();
    const server = startServer({ POSTS_DIR: 'posts', CACHE_DIR: cacheDir });
    const base = await server.listening;

    const page = await fetch(`${base}/posts/writing-a-post`, {
      headers: { 'x-request-id': 'trace-42' },
    });
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('x-request-id'), 'trace-42');
    assert.equal((await fetch(`${base}/no-such-page`)).status, 404);
    assert.equal((await fetch(`${base}/readyz`)).status, 200);

    server.child.kill('SIGTERM');
    assert.equal(await exitWithin(server, 10_000), 0);

    const lines = parseLines(server.stdoutLines.filter(Boolean));
    assert.ok(lines.length >= 4, 'startup and request lines');
    for (const line of lines) {
      assert.match(String(line.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(typeof line.level, 'string');
      assert.equal(typeof line.msg, 'string');
      for (const key of Object.keys(line))
        assert.ok(TOP_LEVEL_KEYS.has(key), `unexpected top-level key ${key}`);
    }

    const loaded = lines.find((line) => line.msg === 'site loaded');
    assert.deepEqual(loaded?.quire, {
      posts: SAMPLE_POSTS,
      pages: SAMPLE_PAGES,
      rendered: SAMPLE_POSTS + SAMPLE_PAGES,
      cached: 0,
      validated: SAMPLE_POSTS + SAMPLE_PAGES,
      images: (loaded?.quire as { images: number }).images,
      ms: (loaded?.quire as { ms: number }).ms,
    });

    const requests = lines
      .filter((line) => line.msg === 'request completed')
      .map((line) => line.quire);
    assert.equal(requests.length, 2, 'the probe logs at debug, below the default level');
    assert.deepEqual(
      { ...(requests[0] as object), durationMs: 0 },
      {
        requestId: 'trace-42',
        method: 'GET',
        route: '/posts/:slug',
        statusCode: 200,
        durationMs: 0,
        remoteAddress: '127.0.0.1',
      },
    );
    assert.equal(typeof (requests[0] as { durationMs: unknown }).durationMs, 'number');
    assert.equal((requests[1] as { statusCode: number }).statusCode, 404);
    assert.equal(server.stderr(), '');
  });

  it('serves with the runtime settings of a serving process, and runs a cluster primary with its own, each set in place: the pid it was started as', async () => {
    for (const workers of ['1', '2']) {
      const server = startServer({
        POSTS_DIR: 'posts',
        CACHE_DIR: await tempDir(),
        WORKERS: workers,
      });
      await server.listening;
      const serving = parseLines(server.stdoutLines.filter(Boolean))
        .filter((line) => String(line.msg).startsWith('Server listening'))
        .map((line) => line.pid as number);
      if (workers === '1') assert.deepEqual(serving, [server.child.pid]);
      const argvOf = (pid: number | undefined) =>
        readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (workers === '2') {
        const primary = argvOf(server.child.pid);
        for (const flag of PRIMARY_NODE_FLAGS)
          assert.ok(primary.includes(flag), `${flag} in ${primary.join(' ')}`);
      }
      for (const pid of serving) {
        const argv = argvOf(pid);
        for (const flag of SERVING_NODE_FLAGS)
          assert.ok(argv.includes(flag), `${flag} in ${argv.join(' ')}`);
        for (const flag of PRIMARY_NODE_FLAGS)
          assert.ok(!argv.includes(flag), `the primary's ${flag} not in ${argv.join(' ')}`);
        const environ = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
        for (const [name, value] of Object.entries(SERVING_ENV))
          assert.ok(environ.includes(`${name}=${value}`), `${name}=${value} in its environment`);
      }
      server.child.kill('SIGTERM');
      assert.equal(await exitWithin(server, 10_000), 0);
    }
  });

  it('renders nothing and makes no image variant on a second start with the same cache', async () => {
    const cacheDir = await tempDir();
    for (const start of ['first', 'second']) {
      const server = startServer({ POSTS_DIR: 'posts', CACHE_DIR: cacheDir });
      await server.listening;
      server.child.kill('SIGTERM');
      assert.equal(await exitWithin(server, 10_000), 0);
      const loaded = parseLines(server.stdoutLines.filter(Boolean)).find(
        (line) => line.msg === 'site loaded',
      );
      const { rendered, images } = loaded?.quire as { rendered: number; images: number };
      if (start === 'first') {
        assert.equal(rendered, SAMPLE_POSTS + SAMPLE_PAGES);
        assert.ok(images > 0, 'the sample blog shows images');
      } else assert.deepEqual({ rendered, images }, { rendered: 0, images: 0 });
    }
  });

  it('draws a post’s social card on the first request of its URL, into the cache, where the next start serves it without drawing', async () => {
    const cacheDir = await tempDir();
    const cards = async () =>
      (await readdir(join(cacheDir, 'media'), { recursive: true })).filter((name) =>
        name.endsWith('card.png'),
      );
    let drawn: { url: string; png: Buffer; etag: string | null } | undefined;
    let file: { ino: number; mtimeMs: number } | undefined;
    for (const start of ['first', 'second']) {
      const metricsPort = await freePort();
      // One process: its concurrent first requests share one drawing (two workers could each draw).
      const server = startServer({
        POSTS_DIR: 'posts',
        CACHE_DIR: cacheDir,
        WORKERS: '1',
        METRICS_PORT: String(metricsPort),
      });
      const base = await server.listening;
      if (start === 'first') {
        assert.deepEqual(await cards(), [], 'a start draws no card');
        const page = await (await fetch(`${base}/posts/writing-a-post`)).text();
        const url = /<meta property="og:image" content="[^"]*?(\/media\/[^"]+-card\.png)">/.exec(
          page,
        )?.[1];
        assert.ok(url, 'the page names its card');
        // Two first requests at once: one card drawn.
        const [response, other] = await Promise.all([
          fetch(`${base}${url}`),
          fetch(`${base}${url}`),
        ]);
        assert.equal(response.status, 200);
        assert.equal(other.status, 200);
        const png = Buffer.from(await response.arrayBuffer());
        assert.ok(png.equals(Buffer.from(await other.arrayBuffer())));
        const { width, height, format } = await sharp(png).metadata();
        assert.deepEqual({ width, height, format }, { width: 1200, height: 630, format: 'png' });
        assert.equal(response.headers.get('content-type'), 'image/png');
        assert.equal(response.headers.get('content-length'), String(png.length));
        assert.match(response.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
        drawn = { url, png, etag: response.headers.get('etag') };
        assert.ok(drawn.etag, 'an ETag, as every media file has');
        const [name, ...more] = await cards();
        assert.deepEqual(more, [], 'one card in the cache');
        file = await stat(join(cacheDir, 'media', name ?? ''));
      } else {
        const response = await fetch(`${base}${drawn?.url ?? ''}`);
        assert.equal(response.status, 200);
        assert.ok(Buffer.from(await response.arrayBuffer()).equals(drawn?.png ?? Buffer.alloc(0)));
        assert.equal(response.headers.get('etag'), drawn?.etag, 'the same file');
        const [name] = await cards();
        const now = await stat(join(cacheDir, 'media', name ?? ''));
        assert.deepEqual([now.ino, now.mtimeMs], [file?.ino, file?.mtimeMs], 'not written again');
      }
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const drawnCount = start === 'first' ? 1 : 0;
      assert.match(metrics, new RegExp(`^quire_social_cards_drawn_total ${drawnCount}$`, 'm'));
      server.child.kill('SIGTERM');
      assert.equal(await exitWithin(server, 10_000), 0);
      const made = parseLines(server.stdoutLines.filter(Boolean)).filter(
        (line) => line.msg === 'social card made',
      );
      assert.equal(made.length, drawnCount, `${start} start: cards drawn`);
    }
  });

  it('stops at startup with exit code 1, one clear line and no port left open for a broken post', async () => {
    const root = await tempDir();
    const postsDir = join(root, 'posts');
    await mkdir(postsDir);
    await writePosts(postsDir, {
      'fine.md': { title: 'Fine' },
      'broken.md': '---\ntitle: Broken\ndate: 2026-01-01\ntag: [x]\n---\nBody\n',
    });
    const port = await freePort();
    const server = startServer({
      POSTS_DIR: postsDir,
      CACHE_DIR: join(root, 'cache'),
      PORT: String(port),
    });
    assert.equal(await exitWithin(server, 15_000), 1);

    const lines = parseLines(server.stdoutLines.filter(Boolean));
    const fatal = lines.filter((line) => line.level === 'fatal');
    assert.equal(fatal.length, 1);
    assert.equal(fatal[0]?.msg, '1 problem in posts');
    assert.equal(lines.at(-1), fatal[0], 'the fatal line is the last');
    assert.deepEqual(
      lines.filter((line) => line.level === 'error').map((line) => [line.quire, line.msg]),
      [
        [
          {
            file: `${postsDir}/broken.md`,
            line: 4,
            message: 'unknown field "tag" (did you mean "tags"?)',
          },
          `${postsDir}/broken.md:4: unknown field "tag" (did you mean "tags"?)`,
        ],
      ],
    );
    assert.ok(await refusesConnections(port), 'nothing listens on the configured port');
  });

  it('logs every problem of every broken post as a JSON line of its own, in file and line order, before the fatal line', async () => {
    const root = await tempDir();
    const postsDir = join(root, 'posts');
    await mkdir(postsDir);
    await writePosts(postsDir, {
      'b.md': '---\ntitle: B\ndate: 2026-13-01\ndraft: maybe\n---\nBody\n',
      'a.md': '---\ndate: 2026-01-01\n---\nBody\n',
    });
    const server = startServer({ POSTS_DIR: postsDir, CACHE_DIR: join(root, 'cache') });
    assert.equal(await exitWithin(server, 15_000), 1);
    const lines = parseLines(server.stdoutLines.filter(Boolean));
    const problems = lines.filter((line) => line.level === 'error');
    assert.deepEqual(
      problems.map((line) => {
        const { file, line: at } = line.quire as { file: string; line: number };
        return `${file.slice(postsDir.length + 1)}:${at}`;
      }),
      ['a.md:1', 'b.md:3', 'b.md:4'],
    );
    for (const line of problems) {
      const { file, line: at, message } = line.quire as Record<string, unknown>;
      assert.equal(line.msg, `${String(file)}:${String(at)}: ${String(message)}`);
    }
    assert.deepEqual(lines.at(-1)?.msg, '3 problems in posts');
    assert.equal(lines.at(-1)?.level, 'fatal');
    assert.equal(server.stderr(), '');
  });

  it('stops at startup when POSTS_DIR does not exist', async () => {
    const root = await tempDir();
    const server = startServer({
      POSTS_DIR: join(root, 'missing'),
      CACHE_DIR: join(root, 'cache'),
    });
    assert.equal(await exitWithin(server, 15_000), 1);
    const fatal = parseLines(server.stdoutLines.filter(Boolean)).filter(
      (line) => line.level === 'fatal',
    );
    assert.equal(fatal.length, 1);
    assert.equal(
      fatal[0]?.msg,
      `cannot read the posts directory "${join(root, 'missing')}": it does not exist`,
    );
  });

  it('refuses a bad configuration value with one line on stderr naming the variable', async () => {
    const server = startServer({ PORT: 'eighty' });
    assert.equal(await exitWithin(server, 10_000), 1);
    assert.equal(
      server.stderr(),
      'quire: invalid configuration: PORT must be a TCP port number from 0 to 65535 (got "eighty")\n',
    );
    assert.deepEqual(server.stdoutLines, []);

    const flag = startServer({}, ['--log-level', 'chatty']);
    assert.equal(await exitWithin(flag, 10_000), 1);
    assert.match(
      flag.stderr(),
      /^quire: invalid configuration: LOG_LEVEL must be one of .* \(got "chatty"\)\n$/,
    );
  });

  it('refuses a broken site file with every problem as file:line on stderr, before reading a post', async () => {
    const root = await tempDir();
    await writePosts(root, { 'quire.yaml': 'titel: Notes\npageSize: 0\n' });
    const siteFile = join(root, 'quire.yaml');
    const server = startServer({ SITE_FILE: siteFile, POSTS_DIR: join(root, 'no-posts-here') });
    assert.equal(await exitWithin(server, 10_000), 1);
    assert.equal(
      server.stderr(),
      [
        'quire: invalid site file:',
        `${siteFile}:1: unknown key "titel" (did you mean "title"?)`,
        `${siteFile}:2: "pageSize" must be a number of posts per page from 1 to 100 (got 0)`,
        '',
      ].join('\n'),
    );
    assert.deepEqual(server.stdoutLines, []);
  });

  it('honours --log-level: debug shows the probe requests', async () => {
    const cacheDir = await tempDir();
    const server = startServer({ POSTS_DIR: 'posts', CACHE_DIR: cacheDir }, [
      '--log-level',
      'debug',
    ]);
    const base = await server.listening;
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    server.child.kill('SIGTERM');
    assert.equal(await exitWithin(server, 10_000), 0);
    const probe = parseLines(server.stdoutLines.filter(Boolean)).find(
      (line) => (line.quire as { route?: string } | undefined)?.route === '/healthz',
    );
    assert.equal(probe?.level, 'debug');
  });
});
