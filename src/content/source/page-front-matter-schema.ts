/**
 * The front matter of a standalone page (`pages/about.md` → `/about/`, issue #18): a post's
 * fields that mean something without a date. The same rules as posts' (front-matter-schema.ts),
 * so a page and a post reject the same mistakes with the same words.
 */
import { z } from 'zod';
import { frontMatterSchema } from './front-matter-schema.ts';

const post = frontMatterSchema.shape;

export const pageFrontMatterSchema = z.strictObject({
  title: post.title.describe('The page title, shown as its heading and in the browser tab.'),
  description: post.description.describe(
    'For search engines and link previews (at most 300 characters); default: the first paragraph.',
  ),
  draft: post.draft.describe('true keeps the page off the site; `npm run dev` still shows it.'),
  slug: post.slug.describe('The address, /<slug>/; default: the file name without .md.'),
});
