/**
 * A test-only preload (`NODE_OPTIONS=--import=<this file>`) that makes a render child die
 * mid-batch, as the kernel's OOM killer would: a process with an IPC channel (a child Quire
 * started; the servers the tests start have none) kills itself with SIGKILL as soon as it
 * receives a message holding `KILL_MARKER`, i.e. when a post containing it is sent to it.
 *
 * It lives under test/ and is loaded only by that flag: nothing in src/ knows of it, and the
 * production image has no test/ directory, so it cannot be enabled by accident. It reads the
 * messages whatever their shape, so it does not depend on the render pool's protocol.
 */
export const KILL_MARKER = 'quire-test: the render child that receives this post dies';

const holdsMarker = (value: unknown, depth = 0): boolean => {
  if (typeof value === 'string') return value.includes(KILL_MARKER);
  if (depth > 8 || typeof value !== 'object' || value === null) return false;
  return Object.values(value).some((inner) => holdsMarker(inner, depth + 1));
};

if (process.send) {
  process.on('message', (message: unknown) => {
    if (holdsMarker(message)) process.kill(process.pid, 'SIGKILL');
  });
}
