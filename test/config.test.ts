import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';

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
      siteUrl: 'http://localhost:3000',
      siteTitle: 'Quire',
      logLevel: 'info',
      cacheDir: './.cache/render',
    });
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
