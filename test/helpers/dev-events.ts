/**
 * The dev server's live-reload stream (`/__dev/events`), read as a browser's EventSource would:
 * shared by the dev-server tests and `npm run bench:dev`. Not a test file itself.
 */
import { fetch } from 'undici';

export interface EventStream {
  /** Resolves with the `paths` of the next event matching `match`, or rejects after `ms`. */
  next(match: (paths: string[]) => boolean, ms?: number): Promise<string[]>;
  /** Forgets the events received so far: the next `next` waits for a new one. */
  clear(): void;
  close(): Promise<void>;
}

export async function openEvents(url: string): Promise<EventStream> {
  const response = await fetch(`${url}/__dev/events`);
  if (response.headers.get('content-type') !== 'text/event-stream' || !response.body)
    throw new Error(`not an event stream: ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const events: string[][] = [];
  let buffer = '';
  let waiters: (() => void)[] = [];
  void (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: '', done: true }));
      if (done) return;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((line) => line.startsWith('data: '));
        if (data) events.push((JSON.parse(data.slice(6)) as { paths: string[] }).paths);
      }
      for (const wake of waiters.splice(0)) wake();
    }
  })();
  return {
    async next(match, ms = 10_000) {
      const until = Date.now() + ms;
      for (;;) {
        const index = events.findIndex(match);
        if (index !== -1) return events.splice(0, index + 1).at(-1) as string[];
        const left = until - Date.now();
        if (left <= 0)
          throw new Error(`no matching event within ${ms} ms (got ${JSON.stringify(events)})`);
        let wake = () => {};
        await new Promise<void>((resolve) => {
          wake = resolve;
          waiters.push(resolve);
          setTimeout(resolve, left).unref();
        });
        waiters = waiters.filter((waiter) => waiter !== wake);
      }
    },
    clear: () => void events.splice(0),
    close: () => reader.cancel(),
  };
}

/** Polls until `check` passes (file watching is asynchronous), failing after `ms`. */
