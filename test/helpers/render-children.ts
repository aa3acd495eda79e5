/**
 * What the render-children tests share: how many posts make Quire render in child processes,
 * a generated blog of that size, and how to recognise a render child among a server's processes.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generatePosts } from './generate-posts.ts';
import { renderProcessCount } from '../../src/content/render/pool.ts';
import type { ProcessInfo } from './process-tree.ts';
import type { ServerProcess } from './server-process.ts';

/** The fewest posts to render that the pool spreads over two or more child processes. */
export function postsForRenderChildren(): number {
  for (let posts = 1; posts <= 100_000; posts++) if (renderProcessCount(posts) >= 2) return posts;
  throw new Error('the render pool never uses two child processes on this machine (one core?)');
}

/** A render child of the pool, seen from outside: a Node process running tinypool's child entry. */
export const isRenderChild = (info: ProcessInfo): boolean =>
  /\bnode\b/.test(info.command) && /tinypool\/dist\/entry\/process\.js/.test(info.command);

/** Generated posts (bench/generate-posts.ts), enough for the pool; returns their slugs. */
export async function blogForRenderChildren(dir: string): Promise<string[]> {
  return generatePosts(dir, postsForRenderChildren());
}

/** A generated post's title, as written in its front matter (no characters HTML escapes). */
export async function titleOf(dir: string, slug: string): Promise<string> {
  const source = await readFile(join(dir, `${slug}.md`), 'utf8');
  const title = /^title: "?(.*?)"?$/m.exec(source)?.[1];
  if (title === undefined) throw new Error(`${slug}.md has no title`);
  return title;
}

/**
 * The base URL once the server listens. Rejects with its output if it exits or logs a fatal
 * line first (under `node --watch` a failed dev server does not exit: watch mode waits for a
 * change), or after `ms`.
 */
export async function listeningOrExit(server: ServerProcess, ms = 90_000): Promise<string> {
  const output = () => `${server.stdoutLines.join('\n')}\n${server.stderr()}`;
  let settled = false;
  const failed = async (): Promise<never> => {
    const until = Date.now() + ms;
    while (!settled) {
      if (server.logLines().some((line) => line.level === 'fatal'))
        throw new Error(`a fatal line before listening:\n${output()}`);
      if (Date.now() > until) throw new Error(`not listening after ${ms} ms:\n${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    return new Promise<never>(() => {}); // listening: this side of the race never settles
  };
  try {
    return await Promise.race([
      server.listening,
      server.exited.then((code) => {
        throw new Error(`exited (${code}) before listening:\n${output()}`);
      }),
      failed(),
    ]);
  } finally {
    settled = true;
  }
}
