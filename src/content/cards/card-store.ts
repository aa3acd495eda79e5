/**
 * The posts' social cards on demand (issue #18, on the principle of issue #17's pages on demand):
 * a card is drawn the first time its URL is requested, in a child process (render/pool.ts
 * `cardRenderer`), never at a render or a start. The child writes it into the render cache's media
 * folder (write, then rename: media/media-cache.ts), where every worker and the next start find
 * it. Concurrent first requests for one card draw it once. A cache that cannot be written
 * (read-only, full) still serves the card: this process keeps it, in a bounded LRU, as the body
 * store keeps what it could not write (cache/body-store.ts), and says so once.
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { type CardRenderer, cardRenderer } from '../render/pool.ts';
import type { CardOutcome } from '../types.ts';
import { CARD_FILE, type PostCard } from './cards.ts';

/** Cards kept in memory when the cache cannot take them: a few hundred of them. */
const UNWRITTEN_MAX_BYTES = 16 * 2 ** 20;

export interface CardStore {
  /** The card's file in the media folder, relative to it. */
  file(card: PostCard): string;
  /** Makes sure `card` (of the post file `source`) can be served: drawn unless it is there. */
  ensure(card: PostCard, source: string): Promise<CardOutcome>;
}

export function createCardStore(
  mediaDir: string,
  renderer: () => CardRenderer = cardRenderer,
): CardStore {
  let pool: CardRenderer | undefined;
  const inFlight = new Map<string, Promise<CardOutcome>>();
  const unwritten = new LRUCache<string, Buffer>({
    maxSize: UNWRITTEN_MAX_BYTES,
    sizeCalculation: (png) => png.length,
  });
  let warned = false;
  const file = (card: PostCard) => `${card.key}/${CARD_FILE}`;

  const draw = async (card: PostCard, source: string): Promise<CardOutcome> => {
    const kept = unwritten.get(card.key);
    if (kept) return { png: kept };
    const there = await access(join(mediaDir, file(card))).then(
      () => true,
      () => false,
    );
    if (there) return {};
    const drawing = (pool ??= renderer());
    const job = { kind: 'card', file: source, key: card.key, mediaDir, card: card.text() } as const;
    // A failed child fails this card; the next card starts a new one (pool.ts keeps the failure).
    const { png, cacheError, seconds } = await drawing.card(job).catch((error: unknown) => {
      if (pool === drawing) pool = undefined;
      throw error;
    });
    if (cacheError === undefined) return { seconds };
    const bytes = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
    unwritten.set(card.key, bytes);
    const first = !warned;
    warned = true;
    return { png: bytes, seconds, cacheError: first ? cacheError : undefined };
  };

  return {
    file,
    ensure(card, source) {
      const running = inFlight.get(card.key);
      if (running) return running.then(({ png }) => ({ png }));
      const made = draw(card, source).finally(() => inFlight.delete(card.key));
      inFlight.set(card.key, made);
      return made;
    },
  };
}
