/**
 * The site file, `quire.yaml` (issue #18): the one definition validation uses and the JSON Schema
 * for editors is generated from (schemas/quire.schema.json). Keys are camelCase, like front
 * matter's. The settings an environment variable can also give share its rule (rules.ts); the
 * variable wins (config.ts). Messages are `must be …`: the problem names the key before them.
 */
import { z } from 'zod';
import { authorName, nonEmptyText, sharedRules, wholeNumber } from './rules.ts';

const shared = sharedRules(wholeNumber);

const AUTHOR_KEY = /^[a-z][a-z0-9_-]*$/;

const httpUrl = z.url({
  protocol: /^https?$/,
  error: 'must be an absolute http or https URL, e.g. https://example.com/',
});

/** A page of this site (`/about/`) or of another one (`https://…`). */
const link = nonEmptyText().refine(
  (value) => (value.startsWith('/') && !value.startsWith('//')) || httpUrl.safeParse(value).success,
  'must be a path on this site such as /about/, or an absolute http or https URL',
);

const author = z
  .strictObject({
    name: authorName.describe('The name shown in bylines, feeds and JSON-LD.'),
    url: httpUrl.optional().describe('Their page: bylines link to it; feeds and JSON-LD name it.'),
    avatar: link.optional().describe('A picture of them: /path/on/this/site.png or https://…'),
  })
  .describe('One author.');

const menuEntry = z
  .strictObject({
    label: nonEmptyText().describe('The words of the link.'),
    url: link.describe('Where it goes: /about/, /tags/, or https://…'),
    order: z
      .number({ error: 'must be a whole number' })
      .int('must be a whole number')
      .optional()
      .describe('Entries are shown by order, lowest first; entries without one after them.'),
  })
  .describe('One link of the navigation menu.');

const socialLink = z
  .strictObject({
    label: nonEmptyText().describe('The words of the link, e.g. Mastodon.'),
    url: z
      .url({
        protocol: /^(?:https?|mailto)$/,
        error: 'must be an absolute http, https or mailto URL',
      })
      .describe('The profile, e.g. https://mastodon.social/@alice, or mailto:alice@example.com.'),
  })
  .describe('One link to the site elsewhere, shown in the footer.');

export const siteFileSchema = z.strictObject({
  title: shared.title.optional().describe("The blog's name (SITE_TITLE)."),
  description: shared.description
    .optional()
    .describe("The home page's meta description and the feeds' subtitle (SITE_DESCRIPTION)."),
  language: shared.language
    .optional()
    .describe('The language posts are written in, a BCP 47 tag: en, de, pt-BR (SITE_LANGUAGE).'),
  url: shared.url
    .optional()
    .describe('The public base URL, for absolute links: https://blog.example (SITE_URL).'),
  pageSize: shared.pageSize
    .optional()
    .describe('Posts per page on the index and tag pages, 1 to 100 (PAGE_SIZE).'),
  pagesDir: nonEmptyText()
    .optional()
    .describe('Where the standalone pages are, relative to this file (PAGES_DIR); default: pages'),
  authors: z
    .record(z.string().regex(AUTHOR_KEY), author, {
      error: (issue) =>
        issue.code === 'invalid_key'
          ? 'author keys must be lowercase letters, digits, "-" and "_", starting with a letter'
          : 'must be a map of author keys to their name, url and avatar',
    })
    .optional()
    .describe(
      'Who writes here, by key: front matter "authors" names these keys. A post naming none is by the first one (unless SITE_AUTHOR is set).',
    ),
  menu: z
    .array(menuEntry, { error: 'must be a list of entries with "label" and "url"' })
    .optional()
    .describe("The navigation menu on every page; default: the theme's."),
  social: z
    .array(socialLink, { error: 'must be a list of entries with "label" and "url"' })
    .optional()
    .describe('Links to the site elsewhere, in the footer of every page.'),
  defaultCover: z
    .strictObject({
      src: nonEmptyText().describe(
        'The image file, relative to the posts folder, e.g. images/cover.jpg (posts/images/cover.jpg).',
      ),
      alt: nonEmptyText().describe('What it shows, for readers who cannot see it.'),
    })
    .optional()
    .describe(
      'The cover image of posts whose front matter has no "cover" (not of standalone pages); such posts get no social card.',
    ),
  images: z
    .strictObject({
      maxMegabytes: shared.imageMaxMb
        .optional()
        .describe('The largest image accepted, in megabytes (IMAGE_MAX_MB).'),
      widths: z
        .array(wholeNumber([16, 10_000, 'a width in pixels']), {
          error: 'must be a list of widths in pixels',
        })
        .min(1, 'must not be empty')
        .superRefine((widths, context) => {
          for (const [index, width] of widths.entries())
            if (widths.indexOf(width) < index)
              context.addIssue({
                code: 'custom',
                path: [index],
                message: 'must not repeat a width',
              });
        })
        // In any order: a `<picture>` lists its variants from the narrowest.
        .transform((widths) => [...widths].sort((a, b) => a - b))
        .optional()
        .meta({ uniqueItems: true }) // for editors: the JSON Schema says what the refinement does
        .describe(
          'The widths, in pixels, of the variants made of each image below its own width (which is made too); default: 480, 960, 1440, 1920.',
        ),
    })
    .optional()
    .describe('How images beside posts are handled.'),
});

export type SiteFile = z.output<typeof siteFileSchema>;
export type Author = z.output<typeof author>;
export type MenuEntry = z.output<typeof menuEntry>;
export type SocialLink = z.output<typeof socialLink>;
export type Cover = NonNullable<SiteFile['defaultCover']>;
