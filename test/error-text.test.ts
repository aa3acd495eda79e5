import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeError, errorData, errorFromData } from '../src/error-text.ts';

describe('describeError: a log message that is never empty (issue #15)', () => {
  it('is the message, then each cause, with its type when that says more than Error', () => {
    const error = new Error('render child 12 could not render posts/a.md', {
      cause: new RangeError('Maximum call stack size exceeded'),
    });
    assert.equal(
      describeError(error),
      'render child 12 could not render posts/a.md: RangeError: Maximum call stack size exceeded',
    );
  });

  it('names an error with no message by its type and where it was thrown', () => {
    const text = describeError(new TypeError());
    assert.match(text, /^TypeError with no message \(at .*error-text\.test\.ts:\d+:\d+\)+$/);
    assert.match(
      describeError(new Error('outer', { cause: new Error() })),
      /^outer: Error with no message/,
    );
  });

  it('describes thrown values that are not errors, empty ones too', () => {
    assert.equal(describeError('boom'), 'boom');
    assert.equal(describeError(''), 'a thrown string with no text');
    assert.equal(describeError(undefined), 'undefined');
  });

  it('stops on a cycle of causes', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    a.cause = b;
    assert.ok(describeError(a).startsWith('a: b: a: b'));
  });

  it('crosses a process boundary as data with its causes, stacks and names', () => {
    const original = new Error('outer', { cause: new RangeError('inner') });
    const copy = errorFromData(structuredClone(errorData(original)));
    assert.equal(copy.message, 'outer');
    assert.equal(copy.stack, original.stack);
    assert.ok(copy.cause instanceof Error);
    assert.equal(copy.cause.name, 'RangeError');
    assert.equal(copy.cause.stack, (original.cause as Error).stack);
    assert.equal(describeError(copy), describeError(original));
  });
});
