/**
 * What the dev server adds to every page through the production templates (the `dev` template
 * variable, which production never passes): draft/scheduled badges, the problems banner, the
 * reload script.
 */
import type { Post } from '../content/types.ts';
import type { DevProblem } from './content.ts';

export const RELOAD_SCRIPT = '/__dev/reload.js';

export interface DevView {
  reloadScript: string;
  problems: DevProblem[];
  /** Slug → "Draft" or "Scheduled". */
  badges: Record<string, string>;
}

export function devView(posts: readonly Post[], problems: DevProblem[], now: Date): DevView {
  const badges: Record<string, string> = {};
  for (const post of posts) {
    if (post.draft) badges[post.slug] = 'Draft';
    else if (post.date > now) badges[post.slug] = 'Scheduled';
  }
  return { reloadScript: RELOAD_SCRIPT, problems, badges };
}
