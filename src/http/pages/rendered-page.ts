/** A page as it is served: its bytes and what HTTP caching needs of it. */
import { createHash } from 'node:crypto';

export interface RenderedPage {
  /** The body, UTF-8 encoded once. */
  body: Buffer;
  /** Strong validator for conditional GETs, quoted as it goes on the wire. */
  etag: string;
  /** Default `text/html; charset=utf-8`. */
  contentType?: string | undefined;
  /** Whole seconds; absent when nothing dates the page. */
  lastModified?: Date | undefined;
}

/** Renders a page's text through the theme's templates (`@fastify/view`'s `fastify.view`). */
export type RenderTemplate = (template: string, data: Record<string, unknown>) => Promise<string>;

export function renderedPage(
  text: string,
  contentType?: string,
  lastModified?: Date,
): RenderedPage {
  const body = Buffer.from(text, 'utf8');
  const hash = createHash('sha256').update(body).digest('base64url').slice(0, 27);
  return {
    body,
    etag: `"${hash}"`,
    contentType,
    // HTTP dates have whole seconds; comparing If-Modified-Since needs the same precision.
    lastModified: lastModified && new Date(Math.floor(lastModified.getTime() / 1000) * 1000),
  };
}
