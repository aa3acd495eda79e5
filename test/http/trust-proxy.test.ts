/**
 * Config TRUST_PROXY reaches the app: forwarded client addresses are believed
 * from the listed peers (nginx) only.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { defaultSite, type LogLine } from './harness.ts';

async function loggedAddress(trustProxy: string | undefined): Promise<unknown> {
  const logs: LogLine[] = [];
  const logger = createLogger('info', {
    write(chunk: string) {
      for (const line of chunk.split('\n')) if (line) logs.push(JSON.parse(line) as LogLine);
    },
  });
  const config = loadConfig(trustProxy === undefined ? {} : { TRUST_PROXY: trustProxy }, []);
  const app = buildApp(config, defaultSite(), { logger });
  try {
    // inject()'s peer is 127.0.0.1, like nginx on the same machine.
    await app.inject({ url: '/', headers: { 'x-forwarded-for': '203.0.113.7' } });
  } finally {
    await app.close();
  }
  return logs.find((line) => line.msg === 'request completed')?.quire?.remoteAddress;
}

describe('TRUST_PROXY', () => {
  it('believes X-Forwarded-For from a listed address', async () => {
    assert.equal(await loggedAddress('127.0.0.1'), '203.0.113.7');
    assert.equal(await loggedAddress('10.0.0.0/8, 127.0.0.0/8'), '203.0.113.7');
  });

  it('ignores it from any other peer, and by default', async () => {
    assert.equal(await loggedAddress('10.0.0.1'), '127.0.0.1');
    assert.equal(await loggedAddress(undefined), '127.0.0.1');
  });
});
