/**
 * The size of an SVG image for its `<img width height>` (issue #18): its root element's `width`
 * and `height` when they are plain numbers or pixels, else its `viewBox`'s. An SVG is never
 * inlined or rasterised: it is served as the file it is.
 */
import { XMLParser } from 'fast-xml-parser';
import type { ImageInfo } from '../render/protocol.ts';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
const PIXELS = /^\s*(\d+(?:\.\d+)?)(?:px)?\s*$/;

export function svgInfo(text: string): ImageInfo {
  let svg: unknown;
  try {
    svg = (parser.parse(text) as { svg?: unknown }).svg;
  } catch {
    svg = undefined;
  }
  if (svg === undefined) {
    return { format: 'svg', problem: 'is not an SVG image (no <svg> element): it is served as is' };
  }
  // An element without attributes or children parses to a string.
  const root = (typeof svg === 'object' ? svg : {}) as Record<string, string | undefined>;
  const pixels = (value: string | undefined) => {
    const match = value === undefined ? null : PIXELS.exec(value);
    return match ? Number(match[1]) : undefined;
  };
  const [, , boxWidth, boxHeight] = (root.viewBox ?? '')
    .trim()
    .split(/[\s,]+/)
    .map(Number);
  const ratio = boxWidth && boxHeight ? boxHeight / boxWidth : undefined;
  // A missing side follows from the other and the viewBox's proportions, as a browser sizes it.
  let width = pixels(root.width);
  let height = pixels(root.height);
  if (ratio && width === undefined && height === undefined) [width, height] = [boxWidth, boxHeight];
  else if (ratio && height === undefined && width) height = width * ratio;
  else if (ratio && width === undefined && height) width = height / ratio;
  return width && height
    ? { format: 'svg', width: Math.round(width), height: Math.round(height) }
    : { format: 'svg' };
}
