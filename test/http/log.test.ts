import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { createLogger, isoTime, LOG_NAMESPACE } from '../../src/log.ts';

function capture(level: Parameters<typeof createLogger>[0] = 'info') {
  const lines: Record<string, unknown>[] = [];
  const writes: string[] = [];
  const logger = createLogger(level, {
    write(chunk: string) {
      writes.push(chunk);
      lines.push(JSON.parse(chunk) as Record<string, unknown>);
    },
  });
  const quire = (index: number) => (lines[index]?.quire ?? {}) as Record<string, unknown>;
  return { logger, lines, writes, quire };
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('createLogger', () => {
  it('writes one JSON object per line: level label and ISO time at the top, our fields under "quire"', () => {
    const { logger, lines, writes } = capture();
    logger.info({ route: '/posts/:slug', statusCode: 200 }, 'request completed');

    assert.equal(writes.length, 1);
    assert.ok(writes[0]?.endsWith('\n'));
    assert.equal(writes[0]?.trimEnd().includes('\n'), false, 'exactly one line');
    const [line] = lines;
    assert.ok(line);
    assert.equal(LOG_NAMESPACE, 'quire');
    assert.equal(line.level, 'info');
    assert.match(String(line.time), ISO_UTC);
    assert.equal(line.msg, 'request completed');
    assert.deepEqual(line.quire, { route: '/posts/:slug', statusCode: 200 });
    assert.deepEqual(Object.keys(line).sort(), [
      'hostname',
      'level',
      'msg',
      'pid',
      'quire',
      'time',
    ]);
  });

  it("keeps fields named like pino's own (level, time, msg) inside the namespace", () => {
    const { logger, lines } = capture();
    logger.warn({ level: 'x', time: 'never', msg: 'inner' }, 'outer');
    assert.equal(lines[0]?.level, 'warn');
    assert.match(String(lines[0]?.time), ISO_UTC);
    assert.deepEqual(lines[0]?.quire, { level: 'x', time: 'never', msg: 'inner' });
  });

  it('serializes an err nested under the namespace with type, message and stack', () => {
    const { logger, quire } = capture();
    const error = new TypeError('kaboom');
    logger.error({ err: error, statusCode: 500 }, 'request failed');
    const err = quire(0).err as Record<string, unknown>;
    assert.equal(err.type, 'TypeError');
    assert.equal(err.message, 'kaboom');
    assert.match(String(err.stack), /^TypeError: kaboom\n\s+at /);
    assert.equal(quire(0).statusCode, 500);
  });

  it('serializes an Error passed on its own, message as msg', () => {
    const { logger, lines, quire } = capture();
    logger.error(new RangeError('out of range'));
    assert.equal(lines[0]?.msg, 'out of range');
    const err = quire(0).err as Record<string, unknown>;
    assert.equal(err.type, 'RangeError');
    assert.match(String(err.stack), /RangeError: out of range/);
  });

  it('honours the level', () => {
    const { logger, lines } = capture('warn');
    logger.info('dropped');
    logger.debug('dropped');
    logger.warn('kept');
    assert.deepEqual(
      lines.map((line) => line.msg),
      ['kept'],
    );
  });

  it('writes nothing at silent', () => {
    const { logger, lines } = capture('silent');
    logger.fatal('nothing');
    assert.equal(lines.length, 0);
  });
});

describe('isoTime', () => {
  it("writes exactly what pino's isoTime does, across milliseconds and seconds", (t) => {
    const instants = [
      Date.UTC(2026, 0, 2, 3, 4, 5, 678),
      Date.UTC(2026, 0, 2, 3, 4, 5, 679),
      Date.UTC(2026, 0, 2, 3, 4, 5, 999),
      Date.UTC(2026, 0, 2, 3, 4, 6, 0),
      Date.UTC(2026, 0, 2, 3, 4, 6, 7),
      Date.UTC(2026, 0, 2, 3, 4, 6, 42),
      Date.UTC(2026, 11, 31, 23, 59, 59, 999),
      Date.UTC(2027, 0, 1, 0, 0, 0, 1),
      Date.UTC(2026, 0, 2, 3, 4, 5, 678), // back in time: the clock can be set back
    ];
    t.mock.timers.enable({ apis: ['Date'] });
    for (const instant of instants) {
      t.mock.timers.setTime(instant);
      assert.equal(isoTime(), pino.stdTimeFunctions.isoTime(), new Date(instant).toISOString());
    }
  });
});
