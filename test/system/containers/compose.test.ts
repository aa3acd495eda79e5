/**
 * The compose files (issue #7). Both validate; the writers' one really runs under podman-compose
 * on a temporary copy of the project (never the repository's own posts), and saving a mounted
 * post changes the served page and tells the open page to reload.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'yaml';
import { freePort } from '../../helpers/server-process.ts';
import { requireTools } from '../../helpers/require-tool.ts';
import { mustRun, run } from './command.ts';
import { uniqueName, waitFor200 } from './containers.ts';
import { ensureDevImage, PROJECT_ROOT } from './images.ts';
import { ensureStandins } from './standins.ts';

const tools = requireTools(
  ['podman', 'podman-compose', 'buildah', 'debootstrap', 'runc', 'tar'],
  'apt-get install podman podman-compose buildah debootstrap runc; see .ci/packages/containers.txt',
);

/**
 * How podman-compose reads a compose file: `--dry-run up` resolves the variables and prints the
 * `podman run` line of each service (podman-compose 1.0 has no `config` command). It still
 * creates the project's volumes and network, so it runs under a throwaway project name whose
 * leftovers are removed.
 */
async function podmanComposeReading(file: string, env: Record<string, string>) {
  const project = uniqueName('dry').replaceAll('-', '_');
  after(async () => {
    const label = `label=io.podman.compose.project=${project}`;
    const volumes = await run('podman', ['volume', 'ls', '-q', '--filter', label]);
    for (const volume of volumes.stdout.split('\n').filter(Boolean))
      await run('podman', ['volume', 'rm', '--force', volume]);
    await run('podman', ['network', 'rm', '--force', `${project}_default`]);
  });
  const result = await run('podman-compose', ['-p', project, '-f', file, '--dry-run', 'up', '-d'], {
    cwd: PROJECT_ROOT,
    env,
    timeoutMs: 60_000,
  });
  const runs = result.stdout.split('\n').filter((line) => line.startsWith('podman run '));
  return { ...result, runs, project };
}

/** dclint: the compose-spec JSON schema plus the rules in .dclintrc. */
function dclint(...files: string[]) {
  return run(join(PROJECT_ROOT, 'node_modules/.bin/dclint'), files, { cwd: PROJECT_ROOT });
}

const serviceRun = (runs: string[], service: string) => {
  const line = runs.find((candidate) =>
    candidate.includes(`com.docker.compose.service=${service} `),
  );
  assert.ok(line, `no podman run for ${service} in\n${runs.join('\n')}`);
  return line;
};

describe('compose files', { skip: tools.skip, timeout: 60 * 60_000 }, () => {
  it('both compose files pass the compose-spec schema (dclint)', async () => {
    const result = await dclint('docker-compose.yml', 'docker-compose.prod.yml');
    assert.equal(result.code, 0, `${result.stdout}${result.stderr}`);
  });

  it('docker-compose.yml, as podman-compose reads it: the dev image on loopback port 3000, source mounted, node_modules in a volume', async () => {
    const result = await podmanComposeReading('docker-compose.yml', {});
    assert.equal(result.code, 0, result.stderr);
    const line = serviceRun(result.runs, 'quire');
    // Built from docker/Dockerfile's dev stage (podman-compose builds it only when missing).
    const file = parse(await readFile(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8'));
    assert.deepEqual(file.services.quire.build, {
      context: '.',
      dockerfile: 'docker/Dockerfile',
      target: 'dev',
    });
    assert.match(line, / -p 127\.0\.0\.1:3000:3000 /);
    for (const dir of ['src', 'templates', 'posts'])
      assert.ok(line.includes(` -v ${PROJECT_ROOT}${dir}:/app/${dir} `), `${dir} mounted: ${line}`);
    assert.ok(line.includes(` -v ${result.project}_node_modules:/app/node_modules `), line);
    assert.match(line, / quire-dev$/);
  });

  it("the writers' compose file runs under podman-compose; saving a post changes the page and reloads it", async () => {
    const image = await ensureDevImage();
    // docker-compose.yml names the image `quire-dev`; podman-compose builds only when it is missing.
    await mustRun('podman', ['tag', image, 'localhost/quire-dev:latest']);

    const project = await mkdtemp(join(tmpdir(), 'quire-containers-compose-'));
    await cp(PROJECT_ROOT, project, {
      recursive: true,
      filter: (source) => !/\/(node_modules|\.git|dist|\.cache)$/.test(source),
    });
    const name = uniqueName('compose-dev').replaceAll('-', '_');
    const port = await freePort();
    const env = { QUIRE_PORT: String(port) };
    const compose = (...args: string[]) =>
      run('podman-compose', ['-p', name, '-f', 'docker-compose.yml', ...args], {
        cwd: project,
        env,
        timeoutMs: 5 * 60_000,
      });
    // One hook, in this order: the project directory is podman-compose's working directory.
    after(async () => {
      await compose('down', '--volumes', '-t', '1');
      await run('podman', ['network', 'rm', '--force', `${name}_default`]);
      await rm(project, { recursive: true, force: true });
    });

    const up = await compose('up', '-d');
    assert.equal(up.code, 0, `${up.stdout}\n${up.stderr}`);
    const base = `http://127.0.0.1:${port}`;
    const page = `${base}/posts/welcome-to-quire`;
    try {
      await waitFor200(page, 60_000, 200);
    } catch (error) {
      const logs = await compose('logs');
      throw new Error(`${(error as Error).message}\n${logs.stdout}${logs.stderr}`, {
        cause: error,
      });
    }

    // What an open page's script listens to (src/dev/live-reload.ts).
    const events = await fetch(`${base}/__dev/events`);
    assert.equal(events.status, 200);
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();

    const marker = `Edited in a container test ${Date.now()}`;
    const file = join(project, 'posts', 'welcome-to-quire.md');
    await writeFile(file, `${await readFile(file, 'utf8')}\n${marker}\n`);

    let received = '';
    const deadline = Date.now() + 15_000;
    while (!received.includes('/posts/welcome-to-quire') && Date.now() < deadline) {
      const { value, done } = await Promise.race([
        reader.read(),
        new Promise<{ value: undefined; done: true }>((resolve) =>
          setTimeout(() => resolve({ value: undefined, done: true }), deadline - Date.now()),
        ),
      ]);
      if (done) break;
      received += value;
    }
    assert.match(received, /^data: .*\/posts\/welcome-to-quire/m, `events: ${received}`);
    await reader.cancel();
    const html = await (await fetch(page)).text();
    assert.ok(html.includes(marker), 'the served page has the saved text');
  });

  it('docker-compose.prod.yml, as podman-compose reads it with the .env.example values', async () => {
    const example = await readFile(join(PROJECT_ROOT, '.env.example'), 'utf8');
    const env = Object.fromEntries(
      example
        .split('\n')
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    assert.ok(
      env.DOMAIN && env.LETSENCRYPT_EMAIL,
      '.env.example sets DOMAIN and LETSENCRYPT_EMAIL',
    );
    const result = await podmanComposeReading('docker-compose.prod.yml', env);
    assert.equal(result.code, 0, result.stderr);
    const app = serviceRun(result.runs, 'app');
    const nginx = serviceRun(result.runs, 'nginx');
    const certbot = serviceRun(result.runs, 'certbot');
    for (const line of [app, nginx, certbot]) assert.match(line, / --restart unless-stopped /);
    assert.match(app, / --read-only /);
    assert.doesNotMatch(app, / -p /, 'the app is reached through nginx only');
    assert.ok(app.includes(` -e SITE_URL=https://${env.DOMAIN} `), app);
    assert.ok(app.includes(' -e TRUST_PROXY=10.0.0.0/8,172.16.0.0/12,192.168.0.0/16 '), app);
    assert.match(nginx, / -p 80:80 -p 443:443 /);
    for (const line of [nginx, certbot]) {
      assert.ok(line.includes(` -v ${result.project}_letsencrypt:/etc/letsencrypt`), line);
      assert.ok(line.includes(` -v ${result.project}_certbot-webroot:/var/www/certbot`), line);
    }
    assert.ok(certbot.includes(` -e DOMAIN=${env.DOMAIN} `), certbot);
  });

  it('without DOMAIN the certbot container stops at once, naming it (podman-compose 1.0 ignores `:?`)', async () => {
    const { certbot } = await ensureStandins(['certbot']);
    assert.ok(certbot);
    const result = await run(
      'podman',
      [
        'run',
        '--rm',
        '--env',
        'DOMAIN=',
        '--entrypoint',
        '/bin/sh',
        '--volume',
        `${PROJECT_ROOT}docker/certbot/renew-loop.sh:/quire/renew-loop.sh:ro`,
        certbot,
        '/quire/renew-loop.sh',
      ],
      { timeoutMs: 60_000 },
    );
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /DOMAIN: must be set/);
  });
});
