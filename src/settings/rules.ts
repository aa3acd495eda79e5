/**
 * The rules of the settings that can live in an environment variable (or flag) and in the site
 * file alike (issue #18), written once: config.ts reads them from text, the site file schema from
 * YAML values, and both say the same `must be …` about a bad one.
 */
import { z } from 'zod';

/** `must be …` text of a whole number setting: [min, max, what it counts]. */
export type Range = readonly [min: number, max: number, what: string];

const rangeMessage = ([min, max, what]: Range) => `must be ${what} from ${min} to ${max}`;

/** A whole number written as text (an environment variable). */
export const wholeNumberText = (range: Range) => {
  const message = rangeMessage(range);
  return z
    .string()
    .regex(/^\d+$/, message)
    .transform(Number)
    .refine((n) => n >= range[0] && n <= range[1], message);
};

/** A whole number written as a YAML number (the site file). */
export const wholeNumber = (range: Range) => {
  const message = rangeMessage(range);
  return z.number({ error: message }).int(message).min(range[0], message).max(range[1], message);
};

export const text = () => z.string({ error: 'must be a string' });
export const nonEmptyText = () => text().min(1, 'must not be empty');

const siteUrl = z
  .url({
    protocol: /^https?$/,
    error: 'must be an absolute http(s) URL, e.g. https://blog.example',
  })
  .transform((url) => url.replace(/\/+$/, ''));

const siteTitle = nonEmptyText();

// For search engines and feeds (issue #3): the home page's meta description and feed subtitle.
const siteDescription = text().max(300, 'must be at most 300 characters');

/** A person's name: Atom needs one for every entry; JSON-LD names it. */
export const authorName = text()
  .trim()
  .min(1, 'must not be blank')
  .max(200, 'must be at most 200 characters');

// The language posts are written in, as a canonical BCP 47 tag: <html lang> (screen readers pick
// their voice by it), the feeds' and JSON-LD's. The theme's own words are in templates/.
const siteLanguage = text().transform((tag, context) => {
  const canonical = canonicalLanguage(tag);
  if (canonical === undefined) {
    context.addIssue({
      code: 'custom',
      message: 'must be a BCP 47 language tag, e.g. en, de or pt-BR',
    });
    return z.NEVER;
  }
  return canonical;
});

/** The settings both give, by site file key; `number` reads a whole number as its source has it. */
export const sharedRules = <N extends z.ZodType<number>>(number: (range: Range) => N) => ({
  title: siteTitle,
  description: siteDescription,
  language: siteLanguage,
  url: siteUrl,
  pageSize: number([1, 100, 'a number of posts per page']),
  imageMaxMb: number([1, 1024, 'a number of megabytes']),
});

/**
 * The canonical form of a BCP 47 language tag (`en-us` -> `en-US`), or undefined if it is not
 * one. The language itself must be a 2- or 3-letter code: BCP 47's syntax also allows 5 to 8
 * letters, but no such language is registered, so `english` is a mistake, not a language.
 */
function canonicalLanguage(tag: string): string | undefined {
  try {
    const canonical = Intl.getCanonicalLocales(tag)[0];
    return canonical && /^[a-z]{2,3}(?:-|$)/.test(canonical) ? canonical : undefined;
  } catch {
    return undefined;
  }
}
