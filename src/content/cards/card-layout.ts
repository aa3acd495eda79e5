/**
 * What a social card shows (issue #18): the site's name, the post's title, its date, in the
 * theme's colours and the cards' font, 1200 × 630 (the size Facebook, LinkedIn and X show large:
 * https://developers.facebook.com/docs/sharing/webmasters/images/). A tree of plain
 * `{ type, props }` objects, which satori takes as it takes JSX (https://github.com/vercel/satori).
 */
import { FONT_FAMILY } from './fonts.ts';
import type { ThemeColours } from './theme-colours.ts';

export const CARD_WIDTH = 1200;
export const CARD_HEIGHT = 630;
/** Lines of title a card shows; a longer title ends with an ellipsis. */
export const TITLE_LINES = 3;
/**
 * Part of every card's cache key (cards.ts): bump it with any change to the layout below, so
 * every card is made again.
 */
export const CARD_LAYOUT_VERSION = 1;

/** Everything a card shows: what its cache key is made of, with the layout and the font. */
export interface CardText {
  siteTitle: string;
  title: string;
  /** As the post's page shows it (site/human-date.ts). */
  date: string;
  colours: ThemeColours;
}

export interface CardElement {
  type: string;
  props: { style: Record<string, string | number>; children?: string | CardElement[] };
}

const PADDING = 80;

const element = (
  style: CardElement['props']['style'],
  children?: CardElement['props']['children'],
): CardElement => ({ type: 'div', props: { style, children } });

export function cardLayout({ siteTitle, title, date, colours }: CardText): CardElement {
  return element(
    {
      display: 'flex',
      flexDirection: 'column',
      width: CARD_WIDTH,
      height: CARD_HEIGHT,
      background: colours.background,
      color: colours.text,
      fontFamily: FONT_FAMILY,
    },
    [
      element({ height: 16, background: colours.accent }),
      element(
        {
          display: 'flex',
          flexDirection: 'column',
          justifyContent: 'space-between',
          flexGrow: 1,
          padding: `64px ${PADDING}px`,
        },
        [
          element({ fontSize: 36, color: colours.muted }, siteTitle),
          // A block, not flex: satori wraps and clamps the text of a block with a width.
          element(
            {
              display: 'block',
              width: CARD_WIDTH - 2 * PADDING,
              fontSize: 72,
              fontWeight: 700,
              lineHeight: 1.2,
              lineClamp: TITLE_LINES,
            },
            title,
          ),
          element(
            {
              fontSize: 32,
              color: colours.muted,
              borderTop: `2px solid ${colours.rule}`,
              paddingTop: 24,
            },
            date,
          ),
        ],
      ),
    ],
  );
}
