/**
 * The front matter schema: the one definition that validation uses (and that
 * a JSON Schema for editors can be generated from). Values arrive as YAML 1.2
 * core-schema data, so dates are strings and are checked here, not by YAML.
 */
import { z } from 'zod';

/** A slug is one URL path segment that never needs escaping. */
export const SLUG_PATTERN = /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/;

/**
 * ISO 8601 calendar date, optionally with a time and an offset. A time
 * without an offset is rejected: it would silently mean the server's zone.
 */
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2}))?$/;

const DATE_MESSAGE = (name: string) =>
  `"${name}" must be an ISO 8601 date, e.g. 2026-11-23 or 2026-11-23T09:30:00Z (a time needs an offset: Z or +01:00)`;

const dateField = (name: string) =>
  z
    .string({ error: DATE_MESSAGE(name) })
    .regex(ISO_DATE, { error: DATE_MESSAGE(name), abort: true })
    .refine(isRealDate, { error: `"${name}" is not a real calendar date` });

const slugField = (what: string) =>
  z.string({ error: `${what} must be a string` }).regex(SLUG_PATTERN, {
    error: `${what} must be lowercase letters, digits and single "-", "_" or "." between them`,
  });

const TAGS_MESSAGE = '"tags" must be a list of non-empty strings';
const AUTHORS_MESSAGE = '"authors" must be a list of author keys from quire.yaml';

/** An image of the post (issue #18): `alt` is required, as for every image a reader may not see. */
const coverSchema = z.strictObject(
  {
    src: z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? '"cover" needs "src": the image file, relative to the post\'s folder'
            : '"cover.src" must be a file name, e.g. photo.jpg',
      })
      .trim()
      .min(1, { error: '"cover.src" must not be empty' })
      .describe(
        "The image file, relative to the post's folder, e.g. photo.jpg or ../images/shared.png.",
      ),
    alt: z
      .string({
        error: (issue) =>
          issue.input === undefined
            ? '"cover" needs "alt": a text saying what the image shows, for readers who cannot see it'
            : '"cover.alt" must be a text saying what the image shows',
      })
      .trim()
      .min(1, { error: '"cover.alt" must not be empty: say what the image shows' })
      .describe('What the image shows, for readers who cannot see it; required.'),
  },
  {
    error:
      '"cover" needs the image and a text saying what it shows (alt is required), e.g. cover: { src: photo.jpg, alt: "A red kite over the hills" }',
  },
);

export const frontMatterSchema = z.strictObject({
  title: z
    .string({ error: '"title" must be a string' })
    .trim()
    .min(1, { error: '"title" must not be empty' })
    .describe('The post title, shown as its heading, in lists, feeds and the browser tab.'),
  date: dateField('date').describe(
    'Publication date, ISO 8601: 2026-11-23, or 2026-11-23T09:30:00+01:00 (a time needs an offset). A future date schedules the post.',
  ),
  updated: dateField('updated')
    .optional()
    .describe(
      'When the post last changed meaningfully, ISO 8601 like "date"; shown and used by feeds.',
    ),
  tags: z
    .array(z.string({ error: TAGS_MESSAGE }).trim().min(1, { error: TAGS_MESSAGE }), {
      error: TAGS_MESSAGE,
    })
    .default([])
    .describe('Topics, e.g. [kubernetes, nginx]; each has its own page and feed.'),
  summary: z
    .string({ error: '"summary" must be a string' })
    .trim()
    .min(1)
    .optional()
    .describe(
      'One or two sentences for lists, feeds and search results; default: the first paragraph.',
    ),
  // Issue #18: the meta description, author bylines, and the original of a cross-posted article.
  description: z
    .string({ error: '"description" must be a string' })
    .trim()
    .min(1, { error: '"description" must not be empty' })
    .max(300, { error: '"description" must be at most 300 characters' })
    .optional()
    .describe(
      'For search engines, link previews and feed readers (at most 300 characters); default: "summary", else the first paragraph.',
    ),
  authors: z
    .array(z.string({ error: AUTHORS_MESSAGE }).trim().min(1, { error: AUTHORS_MESSAGE }), {
      error: AUTHORS_MESSAGE,
    })
    .default([])
    .describe(
      'Who wrote it: keys of "authors" in quire.yaml, e.g. [alice]; default: the site\'s author.',
    ),
  canonical: z
    .url({ protocol: /^https?$/, error: '"canonical" must be an absolute http or https URL' })
    .optional()
    .describe(
      'Where the article was first published, when it is cross-posted: an absolute http(s) URL for <link rel="canonical">.',
    ),
  draft: z
    .boolean({ error: '"draft" must be true or false' })
    .default(false)
    .describe('true keeps the post off the site; `npm run dev` still shows it, with a badge.'),
  slug: slugField('"slug"')
    .optional()
    .describe(
      "The last part of the URL, /posts/<slug>; default: the file name without .md (a folder's name for its index.md).",
    ),
  aliases: z
    .array(slugField('each entry of "aliases"'), { error: '"aliases" must be a list of slugs' })
    .default([])
    .describe('Old slugs of this post: /posts/<alias> redirects here (301).'),
  cover: coverSchema
    .optional()
    .describe(
      'An image of the post, { src: photo.jpg, alt: "What it shows" }, src relative to the post\'s folder: shown at the top of the post, in link previews (og:image), JSON-LD and feeds.',
    ),
});

/** `2026-02-30` matches the pattern but is not a day; `Date` would roll it over to March. */
function isRealDate(value: string): boolean {
  const time = Date.parse(value.replace(' ', 'T'));
  if (Number.isNaN(time)) return false;
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  const calendar = new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1));
  return calendar.getUTCMonth() + 1 === month && calendar.getUTCDate() === day;
}

/** Parses a date that passed the schema. A bare date means midnight UTC. */
export function toDate(value: string): Date {
  return new Date(value.length === 10 ? `${value}T00:00:00Z` : value.replace(' ', 'T'));
}
