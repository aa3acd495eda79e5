/**
 * Security headers on every response (issue #3, item 9), chosen by helmet.
 *
 * The Content-Security-Policy allows exactly what Quire's pages load:
 * - scripts and stylesheets only from our own origin, as files: no inline script, no eval;
 * - inline `style` *attributes*: Shiki writes each token's colours as CSS variables in one.
 *   Classes would need a stylesheet per site of every theme colour, for little gain: a style
 *   attribute cannot run script, and sanitize-html drops every `style` attribute from posts.
 *   `<style>` elements stay forbidden (`style-src-elem 'self'`);
 * - images from our origin and any https URL: posts may embed images hosted elsewhere (plain
 *   http would be mixed content behind TLS);
 * - `connect-src 'self'`: the dev server's live reload (EventSource), and tools that fetch in
 *   the page's context: Lighthouse reads `/robots.txt` that way and scores the site down when
 *   the CSP refuses (GoogleChrome/lighthouse#4386).
 * - `form-action 'self'`: the search form (issue #19) sends its query to our own `/search`.
 * Everything else (fonts, frames, objects, workers, manifests, `<base>`) is refused.
 *
 * Other choices:
 * - `Cross-Origin-Resource-Policy: cross-origin`: helmet's `same-origin` would break our
 *   images in every web feed reader.
 * - No `Strict-Transport-Security`: TLS belongs to nginx, which knows whether the site is
 *   served over HTTPS at all.
 * - `Referrer-Policy: strict-origin-when-cross-origin`: sites we link to see that a reader came
 *   from this blog, never the path of the page.
 * - `Permissions-Policy` (helmet does not set it): a blog uses none of these features, so
 *   nothing injected may either. Only features Chromium knows: an unknown one is a console error.
 *
 * Cost (issue #2, the throughput target): the headers never depend on the request, so helmet
 * runs once, at startup, and one `onRequest` hook hands its output to `reply.headers()`.
 * @fastify/helmet ran a whole helmet middleware per request from two hooks, and headers set on
 * the raw response send Node's `writeHead` down its slow path: a sixth of a page request's CPU.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'camera=()',
  'geolocation=()',
  'gyroscope=()',
  'magnetometer=()',
  'microphone=()',
  'payment=()',
  'usb=()',
].join(', ');

export const HELMET_OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      'default-src': ["'none'"],
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'style-src-elem': ["'self'"],
      'style-src-attr': ["'unsafe-inline'"],
      'img-src': ["'self'", 'https:'],
      'connect-src': ["'self'"],
      'base-uri': ["'none'"],
      'form-action': ["'self'"],
      'frame-ancestors': ["'none'"],
    },
  },
  crossOriginResourcePolicy: { policy: 'cross-origin' },
  referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  frameguard: { action: 'deny' },
  strictTransportSecurity: false,
};

/**
 * The headers helmet sets with `options` (names lower-cased), by running its middleware once
 * against a response that only records them. Throws if helmet ever needs more of the response
 * than that, or reports an error: then this shortcut no longer holds.
 */
export function helmetHeaders(options: Readonly<HelmetOptions>): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: unknown) {
      headers[name.toLowerCase()] = String(value);
      return response;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(options)(
    {} as IncomingMessage,
    response as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error instanceof Error ? error : new Error('helmet reported an error');
    },
  );
  return headers;
}

/** Every security header of every response, computed once. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  ...helmetHeaders(HELMET_OPTIONS),
  'permissions-policy': PERMISSIONS_POLICY,
});

async function securityHeaders(fastify: FastifyInstance): Promise<void> {
  // Callback style: on the hot path an async hook costs a promise per request.
  fastify.addHook('onRequest', (_request, reply, done) => {
    reply.headers(SECURITY_HEADERS);
    done();
  });
}

export default fp(securityHeaders, { name: 'quire-security-headers', fastify: '5.x' });
