/**
 * Which social card a post gets (issue #18), and its key in the render cache. A post with a cover
 * gets none: the cover is its picture. The key is a hash of everything that changes the picture:
 * what the card shows (site title, post title, date, colours), the layout's version, the font's
 * bytes and the versions of satori and resvg. So a second start makes no card, and a post whose
 * title changes gets a new card while every other post keeps its own.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoredFrontMatter } from '../cache/site-index.ts';
import { hashPackageVersions } from '../cache/fingerprint.ts';
import { humanDate } from '../site/human-date.ts';
import { toDate } from '../source/front-matter-schema.ts';
import { CARD_HEIGHT, CARD_LAYOUT_VERSION, CARD_WIDTH, type CardText } from './card-layout.ts';
import { CARD_FONTS, fontPath } from './fonts.ts';
import type { ThemeColours } from './theme-colours.ts';

/** What every card of a site shares. */
export interface CardSettings {
  /** Config `SITE_TITLE`. */
  siteTitle: string;
  colours: ThemeColours;
}

/** A card's file in its key's folder of the render cache's media folder (media/media-cache.ts). */
export const CARD_FILE = 'card.png';

export interface PostCard {
  key: string;
  slug: string;
  text: CardText;
}

let fingerprint: string | undefined;

function cardFingerprint(): string {
  if (fingerprint === undefined) {
    const hash = createHash('sha256');
    const here = dirname(fileURLToPath(import.meta.url));
    hashPackageVersions(hash, [['satori'], ['@resvg/resvg-js']], here);
    hash.update(`layout ${CARD_LAYOUT_VERSION} ${CARD_WIDTH}x${CARD_HEIGHT}\n`);
    for (const font of CARD_FONTS) hash.update(readFileSync(fontPath(font.file)));
    fingerprint = hash.digest('hex');
  }
  return fingerprint;
}

/** The card of a post with this front matter; undefined when it has a cover. */
export function postCard(fm: StoredFrontMatter, settings: CardSettings): PostCard | undefined {
  if (fm.cover) return undefined;
  const text: CardText = {
    siteTitle: settings.siteTitle,
    title: fm.title,
    date: humanDate(toDate(fm.date)),
    colours: settings.colours,
  };
  const key = createHash('sha256')
    .update(`${cardFingerprint()}\0${JSON.stringify(text)}`)
    .digest('hex');
  return { key, slug: fm.slug, text };
}
