import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig as loadConfigWithSiteFile, onPort } from '../src/config.ts';

/** A site file with nothing in it: the sample blog's quire.yaml must not apply here. */
const EMPTY_SITE_FILE = fileURLToPath(new URL('fixtures/site-file/empty.yaml', import.meta.url));

/** The configuration from variables and flags alone (the site file's are in test/settings/). */
const loadConfig = (env: Record<string, string>, argv: string[]) =>
  loadConfigWithSiteFile({ SITE_FILE: EMPTY_SITE_FILE, ...env }, argv);

const fails = (env: Record<string, string>, argv: string[], message: string) =>
  assert.throws(
    () => loadConfig(env, argv),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, message);
      assert.doesNotMatch(error.message, /\n/, 'one line');
      return true;
    },
  );

describe('loadConfig', () => {
  it('has documented defaults', () => {
    assert.deepEqual(loadConfig({}, []), {
      port: 3000,
      host: '0.0.0.0',
      postsDir: './posts',
      pagesDir: './pages',
      siteFile: EMPTY_SITE_FILE,
      siteUrl: 'http://localhost:3000',
      siteTitle: 'Quire',
      siteDescription: '',
      siteAuthor: 'Quire',
      siteLanguage: 'en',
      pageSize: 10,
      pageCacheMb: 64,
      codeLineNumbers: false,
      logLevel: 'info',
      cacheDir: './.cache/render',
      imageMaxMb: 20,
      templatesDir: fileURLToPath(new URL('../templates/', import.meta.url)),
      workers: Math.min(availableParallelism(), 64),
      metricsPort: 9100,
      metricsHost: '127.0.0.1',
      shutdownDelayMs: 0,
      shutdownTimeoutMs: 10_000,
      crashLoopRestarts: 5,
      crashLoopWindowMs: 60_000,
      workerHangMs: 5000,
      trustProxy: false,
      securityHeaders: 'app',
      testRoutes: false,
      authors: {},
      menu: [],
      social: [],
      defaultCover: undefined,
      imageWidths: undefined,
    });
  });

  it('reads the reader-site settings; the author defaults to the title', () => {
    const config = loadConfig(
      { PAGE_SIZE: '5', SITE_TITLE: 'Notes', SITE_DESCRIPTION: 'About things.' },
      ['--site-author', 'Ada'],
    );
    assert.equal(config.pageSize, 5);
    assert.equal(config.siteDescription, 'About things.');
    assert.equal(config.siteAuthor, 'Ada');
    assert.equal(loadConfig({ SITE_TITLE: 'Notes' }, []).siteAuthor, 'Notes');
  });

  it('reads SITE_LANGUAGE as a BCP 47 tag in its canonical form, English by default', () => {
    assert.equal(loadConfig({}, []).siteLanguage, 'en');
    assert.equal(loadConfig({ SITE_LANGUAGE: 'pt-br' }, []).siteLanguage, 'pt-BR');
    assert.equal(loadConfig({}, ['--site-language', 'de']).siteLanguage, 'de');
    for (const bad of ['english', 'en_US', '12', 'e', 'en-']) {
      fails(
        { SITE_LANGUAGE: bad },
        [],
        `SITE_LANGUAGE must be a BCP 47 language tag, e.g. en, de or pt-BR (got "${bad}")`,
      );
    }
  });

  it('reads IMAGE_MAX_MB, a whole number of megabytes from 1 to 1024 (issue #18)', () => {
    assert.equal(loadConfig({ IMAGE_MAX_MB: '5' }, []).imageMaxMb, 5);
    assert.equal(loadConfig({}, ['--image-max-mb', '100']).imageMaxMb, 100);
    for (const bad of ['0', '1025', '20MB', '-1', '2.5', 'lots']) {
      fails(
        { IMAGE_MAX_MB: bad },
        [],
        `IMAGE_MAX_MB must be a number of megabytes from 1 to 1024 (got "${bad}")`,
      );
    }
  });

  it('rejects a page cache size that is not a whole number of megabytes from 1 to 16384', () => {
    for (const bad of ['0', '16385', '64MB', '-1', '1.5']) {
      fails(
        { PAGE_CACHE_MB: bad },
        [],
        `PAGE_CACHE_MB must be a number of megabytes from 1 to 16384 (got "${bad}")`,
      );
    }
    assert.equal(loadConfig({}, ['--page-cache-mb', '8']).pageCacheMb, 8);
  });

  it('rejects bad reader-site values', () => {
    for (const bad of ['0', '101', 'ten', '-3', '2.5']) {
      fails(
        { PAGE_SIZE: bad },
        [],
        `PAGE_SIZE must be a number of posts per page from 1 to 100 (got "${bad}")`,
      );
    }
    fails({ SITE_AUTHOR: '   ' }, [], 'SITE_AUTHOR must not be blank (got "   ")');
    fails(
      { SITE_AUTHOR: 'a'.repeat(201) },
      [],
      `SITE_AUTHOR must be at most 200 characters (got "${'a'.repeat(201)}")`,
    );
    fails(
      { SITE_DESCRIPTION: 'd'.repeat(301) },
      [],
      `SITE_DESCRIPTION must be at most 300 characters (got "${'d'.repeat(301)}")`,
    );
  });

  it('reads CODE_LINE_NUMBERS as a flag and names it when it is not one', () => {
    assert.equal(loadConfig({ CODE_LINE_NUMBERS: 'true' }, []).codeLineNumbers, true);
    assert.equal(loadConfig({}, ['--code-line-numbers', '1']).codeLineNumbers, true);
    assert.equal(loadConfig({ CODE_LINE_NUMBERS: 'false' }, []).codeLineNumbers, false);
    fails({ CODE_LINE_NUMBERS: 'on' }, [], 'CODE_LINE_NUMBERS must be true or false (got "on")');
  });

  it('reads TRUST_PROXY as a list of addresses and ranges', () => {
    assert.deepEqual(loadConfig({ TRUST_PROXY: '127.0.0.1' }, []).trustProxy, ['127.0.0.1']);
    assert.deepEqual(loadConfig({}, ['--trust-proxy', '10.0.0.0/8, fd00::/8,::1']).trustProxy, [
      '10.0.0.0/8',
      'fd00::/8',
      '::1',
    ]);
  });

  it('rejects a TRUST_PROXY entry that is not an address or range', () => {
    const message = (got: string) =>
      `TRUST_PROXY must be a comma-separated list of IP addresses or CIDR ranges, e.g. 127.0.0.1 or 10.0.0.0/8 (got ${JSON.stringify(got)})`;
    for (const bad of ['nginx', 'true', '10.0.0.0/33', '127.0.0.1,', '1.2.3.4/8/8', '::1/129']) {
      fails({ TRUST_PROXY: bad }, [], message(bad));
    }
  });

  it('reads SECURITY_HEADERS and rejects anything but app or proxy', () => {
    assert.equal(loadConfig({ SECURITY_HEADERS: 'proxy' }, []).securityHeaders, 'proxy');
    assert.equal(loadConfig({}, ['--security-headers', 'app']).securityHeaders, 'app');
    for (const bad of ['nginx', 'off', 'PROXY']) {
      fails(
        { SECURITY_HEADERS: bad },
        [],
        `SECURITY_HEADERS must be app (the app sends them) or proxy (the nginx in front adds them) (got ${JSON.stringify(bad)})`,
      );
    }
  });

  it('reads the process-model settings', () => {
    const config = loadConfig(
      { WORKERS: '1', METRICS_PORT: '9200', SHUTDOWN_DELAY_MS: '5000', TEST_ROUTES: 'true' },
      ['--shutdown-timeout-ms', '2000', '--crash-loop-restarts', '3', '--worker-hang-ms', '2500'],
    );
    assert.equal(config.workerHangMs, 2500);
    assert.equal(config.workers, 1);
    assert.equal(config.metricsPort, 9200);
    assert.equal(loadConfig({ METRICS_HOST: '0.0.0.0' }, []).metricsHost, '0.0.0.0');
    assert.equal(config.shutdownDelayMs, 5000);
    assert.equal(config.shutdownTimeoutMs, 2000);
    assert.equal(config.crashLoopRestarts, 3);
    assert.equal(config.testRoutes, true);
  });

  it('rejects bad process-model values', () => {
    fails(
      { WORKERS: '0' },
      [],
      'WORKERS must be a number of worker processes from 1 to 64 (got "0")',
    );
    fails(
      { WORKERS: 'many' },
      [],
      'WORKERS must be a number of worker processes from 1 to 64 (got "many")',
    );
    fails(
      { METRICS_PORT: '3000' },
      [],
      'METRICS_PORT must differ from PORT: metrics are never served on the public port (got "3000")',
    );
    fails(
      { SHUTDOWN_DELAY_MS: '-1' },
      [],
      'SHUTDOWN_DELAY_MS must be a number of milliseconds from 0 to 600000 (got "-1")',
    );
    fails(
      { SHUTDOWN_TIMEOUT_MS: '0' },
      [],
      'SHUTDOWN_TIMEOUT_MS must be a number of milliseconds from 1 to 600000 (got "0")',
    );
    fails({ TEST_ROUTES: 'yes' }, [], 'TEST_ROUTES must be true or false (got "yes")');
    for (const bad of ['999', '5s', '-1']) {
      fails(
        { WORKER_HANG_MS: bad },
        [],
        `WORKER_HANG_MS must be a number of milliseconds from 1000 to 600000 (got ${JSON.stringify(bad)})`,
      );
    }
  });

  it('reads environment variables, and --flags win over them', () => {
    const config = loadConfig(
      { PORT: '8080', LOG_LEVEL: 'warn', SITE_URL: 'https://blog.example/', SITE_TITLE: 'Notes' },
      ['--log-level', 'debug', '--posts-dir=content', '--port', '9000'],
    );
    assert.equal(config.port, 9000);
    assert.equal(config.logLevel, 'debug');
    assert.equal(config.postsDir, 'content');
    assert.equal(config.siteUrl, 'https://blog.example', 'trailing slash removed');
    assert.equal(config.siteTitle, 'Notes');
  });

  it('defaults SITE_URL to the local address on PORT, and onPort follows PORT 0 resolved', () => {
    assert.equal(loadConfig({ PORT: '8080' }, []).siteUrl, 'http://localhost:8080');
    assert.equal(loadConfig({}, ['--port', '4000']).siteUrl, 'http://localhost:4000');
    assert.equal(onPort(loadConfig({ PORT: '0' }, []), 41234).siteUrl, 'http://localhost:41234');
    const set = loadConfig({ PORT: '0', SITE_URL: 'https://blog.example' }, []);
    assert.equal(onPort(set, 41234).siteUrl, 'https://blog.example', 'a SITE_URL set stays');
  });

  it('treats an empty variable as unset', () => {
    assert.equal(loadConfig({ PORT: '', HOST: '' }, []).port, 3000);
  });

  it('names the variable and what is allowed for each bad value', () => {
    fails({ PORT: 'abc' }, [], 'PORT must be a TCP port number from 0 to 65535 (got "abc")');
    fails({ PORT: '70000' }, [], 'PORT must be a TCP port number from 0 to 65535 (got "70000")');
    fails({ PORT: '-1' }, [], 'PORT must be a TCP port number from 0 to 65535 (got "-1")');
    fails(
      { LOG_LEVEL: 'loud' },
      [],
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "loud")',
    );
    fails(
      { SITE_URL: 'ftp://blog.example' },
      [],
      'SITE_URL must be an absolute http(s) URL, e.g. https://blog.example (got "ftp://blog.example")',
    );
    fails(
      {},
      ['--site-url', 'blog.example'],
      'SITE_URL must be an absolute http(s) URL, e.g. https://blog.example (got "blog.example")',
    );
  });

  it('rejects unknown and malformed flags, listing the known ones', () => {
    assert.throws(
      () => loadConfig({}, ['--prot', '80']),
      /Unknown option '--prot'.*Known flags: --port, --host/,
    );
    assert.throws(() => loadConfig({}, ['--port']), /--port/);
    assert.throws(() => loadConfig({}, ['stray']), ConfigError);
  });
});
