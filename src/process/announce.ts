/**
 * On a terminal, the one line a person starting Quire looks for (issue #19): where to click.
 * Printed beside the logs, not as one: a terminal gets them pretty-printed, anything else gets
 * JSON lines for machines and no such line.
 */
import { isIPv6 } from 'node:net';
import type { Config } from '../config.ts';
import { isPublished } from '../content/site/published.ts';
import type { Site } from '../content/types.ts';

/** Published posts now: what the line counts, from the site a process loaded. */
export const servedPosts = (site: Site) =>
  site.posts.filter((post) => isPublished(post, new Date())).length;

export function announce(config: Config, posts: number): void {
  if (!process.stdout.isTTY) return;
  const anywhere = config.host === '0.0.0.0' || config.host === '::';
  const host = anywhere ? 'localhost' : isIPv6(config.host) ? `[${config.host}]` : config.host;
  const noun = posts === 1 ? 'post' : 'posts';
  process.stdout.write(`Quire: serving ${posts} ${noun} at http://${host}:${config.port}\n`);
}
