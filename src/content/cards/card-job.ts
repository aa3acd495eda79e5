/**
 * The render pool's card job (issue #18), in a render child or in this process: a post's social
 * card drawn by satori (layout and text to SVG, with the font's glyphs as paths) and rasterised
 * by resvg into a PNG, written into the render cache under its key. satori and resvg are loaded
 * by the first card: a process that makes none never loads them.
 */
import { readFile } from 'node:fs/promises';
import { Resvg } from '@resvg/resvg-js';
import satori, { type Font } from 'satori';
import type { CardJob, CardResult } from '../render/protocol.ts';
import { writeVariants } from '../media/media-cache.ts';
import { CARD_HEIGHT, CARD_WIDTH, cardLayout, type CardText } from './card-layout.ts';
import { CARD_FILE } from './cards.ts';
import { CARD_FONTS, FONT_FAMILY, fontPath } from './fonts.ts';

let fonts: Promise<Font[]> | undefined;

/** The card's PNG. */
export async function drawCard(text: CardText): Promise<Buffer> {
  fonts ??= Promise.all(
    CARD_FONTS.map(async ({ file, weight }) => ({
      name: FONT_FAMILY,
      data: await readFile(fontPath(file)),
      weight,
      style: 'normal' as const,
    })),
  );
  const svg = await satori(cardLayout(text) as Parameters<typeof satori>[0], {
    width: CARD_WIDTH,
    height: CARD_HEIGHT,
    fonts: await fonts,
  });
  return new Resvg(svg, { fitTo: { mode: 'original' } }).render().asPng();
}

export default async function makeCard(job: CardJob): Promise<CardResult> {
  const started = performance.now();
  const png = await drawCard(job.card);
  let cacheError: string | undefined;
  try {
    await writeVariants(job.mediaDir, job.key, new Map([[CARD_FILE, png]]));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    cacheError = `render cache ${job.mediaDir} is not writable: ${reason}`;
  }
  return { cacheError, seconds: (performance.now() - started) / 1000 };
}
