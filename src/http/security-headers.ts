/**
 * Security headers on every response (issue #3, item 9), chosen by helmet.
 *
 * The Content-Security-Policy allows exactly what Quire's pages load:
 * - scripts only from our own origin, as files (`/assets/*.js`, the dev server's
 *   `/__dev/reload.js`): no inline script, no eval;
 * - stylesheets only from our own origin;
 * - inline `style` *attributes* (`style-src-attr 'unsafe-inline'`): Shiki writes each token's
 *   colours as CSS variables in a style attribute (`--shiki-light:#d73a49;--shiki-dark:...`).
 *   Moving them to classes would mean generating a stylesheet per site from every colour the
 *   themes use, for little gain: a style attribute cannot run script, post bodies go through
 *   sanitize-html, which drops every `style` attribute, and only our highlighter emits them.
 *   `<style>` elements stay forbidden (`style-src-elem 'self'`);
 * - images from our origin and any https URL, since posts may embed images hosted elsewhere
 *   (the sanitizer allows http(s) image URLs; plain http would be mixed content behind TLS);
 * - `connect-src 'self'`: the dev server's live reload listens on `/__dev/events`
 *   (EventSource). Production pages make no requests of their own, but `'none'` there would
 *   break tools that fetch in the page's context: Lighthouse reads `/robots.txt` that way and
 *   scores the site down when the CSP refuses (GoogleChrome/lighthouse#4386). Our own origin
 *   only, so nothing can be sent elsewhere.
 * Everything else (fonts, frames, objects, workers, forms, manifests, `<base>`) is refused.
 *
 * Other choices:
 * - `Cross-Origin-Resource-Policy: cross-origin`: web feed readers show our images and posts
 *   are meant to be shared; helmet's `same-origin` would break images in every web reader.
 * - No `Strict-Transport-Security` here: TLS belongs to nginx, which knows whether the site is
 *   served over HTTPS at all (an HSTS header from a plain-HTTP dev server would be wrong).
 * - `Referrer-Policy: strict-origin-when-cross-origin`: sites we link to see that a reader came
 *   from this blog (useful to them, normal on the web), never the path of the page.
 * - `Permissions-Policy`: a blog uses none of these powerful features, so none may be used,
 *   not even by something injected. helmet does not set this header, so we add it. Only
 *   features Chromium knows are listed: an unknown one is a console error on every page.
 *
 * Cost (issue #2, the throughput target): the headers depend only on this configuration, never
 * on the request, so helmet runs once, at startup, and its output is kept. @fastify/helmet
 * instead builds a whole helmet middleware for every request (`helmet(configuration)` in its
 * `onRequest` hook: re-parsing the CSP directives, 12 `res.setHeader` calls) from two hooks, one
 * of them async; and headers set on the raw response make Node's `writeHead` take its slow path,
 * validating every header Fastify passes a second time. That was about a sixth of the CPU a
 * page request took. Here one `onRequest` hook hands the finished set to `reply.headers()`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

export const CONTENT_SECURITY_POLICY: Readonly<Record<string, string[]>> = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'style-src-elem': ["'self'"],
  'style-src-attr': ["'unsafe-inline'"],
  'img-src': ["'self'", 'https:'],
  'connect-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

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
  contentSecurityPolicy: { useDefaults: false, directives: { ...CONTENT_SECURITY_POLICY } },
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
