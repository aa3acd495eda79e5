/**
 * One line saying what went wrong, for log messages: an error's message and its causes', never
 * empty. An error thrown with no message (issue #15: `new Error()` from a misread reply) is
 * named by its type and where it was thrown, so a fatal line always tells something.
 */
export function describeError(error: unknown): string {
  const parts = [ownText(error)];
  // Causes form a chain; a few links are plenty, and a cycle must not loop forever.
  let cause = error instanceof Error ? error.cause : undefined;
  for (let depth = 1; depth < 8 && cause !== undefined; depth++) {
    parts.push(withName(cause));
    cause = cause instanceof Error ? cause.cause : undefined;
  }
  return parts.join(': ');
}

function ownText(error: unknown): string {
  if (!(error instanceof Error)) {
    const text = String(error);
    return text === '' ? `a thrown ${typeof error} with no text` : text;
  }
  if (error.message !== '') return error.message;
  const where = error.stack
    ?.split('\n')
    .find((line) => line.trimStart().startsWith('at '))
    ?.trim();
  return `${error.name || 'Error'} with no message${where ? ` (${where})` : ''}`;
}

/** `error` if it is an `Error`, else one saying what was thrown: for pino's `err` field. */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(describeError(error));
}

/** A cause with its type when that says more than `Error`: `RangeError: Maximum call stack…`. */
function withName(error: unknown): string {
  const text = ownText(error);
  return error instanceof Error && error.message !== '' && error.name && error.name !== 'Error'
    ? `${error.name}: ${text}`
    : text;
}

/** An error as plain data, to cross a process boundary (IPC) and be rebuilt there, causes too. */
export interface ErrorData {
  name: string;
  message: string;
  stack: string | undefined;
  cause?: ErrorData;
}

export function errorData(error: unknown, depth = 0): ErrorData {
  if (!(error instanceof Error))
    return { name: 'Error', message: ownText(error), stack: undefined };
  const data: ErrorData = { name: error.name, message: error.message, stack: error.stack };
  if (error.cause !== undefined && depth < 8) data.cause = errorData(error.cause, depth + 1);
  return data;
}

export function errorFromData(data: ErrorData): Error {
  const error = new Error(
    data.message,
    data.cause === undefined ? undefined : { cause: errorFromData(data.cause) },
  );
  error.name = data.name;
  if (data.stack !== undefined) error.stack = data.stack;
  return error;
}
