/**
 * Where an exported URL goes, so that a static host serves it at the same address with no
 * configuration (issue #18), keeping Quire's one form per address (README, "Endpoints"):
 *
 * - a list, whose URL ends with a slash (`/`, `/tags/`, `/archive/`): `index.html` in its folder;
 * - any other HTML page (`/posts/x`, `/tags/go`, `/page/2`, `/search`): the path plus `.html`;
 * - any other file (`/feed.xml`, `/assets/style.1a2b3c4d5e.css`): the path itself.
 *
 * Netlify, Cloudflare Pages and GitHub Pages serve `x.html` at `/x` and `x/index.html` at `/x/`,
 * redirecting the other spelling to it as Quire does (measured host by host in
 * https://github.com/slorber/trailing-slash-guide; Cloudflare's rule:
 * https://developers.cloudflare.com/pages/configuration/serving-pages/); nginx does with
 * `try_files $uri $uri.html $uri/index.html`.
 * (`/posts/x/index.html` instead would make those hosts answer `/posts/x` with a redirect to
 * `/posts/x/`, the form Quire redirects away from.) Hosts look files up by the percent-decoded
 * path, so the file is named by the decoded segments.
 */

/** A URL no static host can serve from a file at the same address. */
export class StaticFileError extends Error {
  override name = 'StaticFileError';
}

/** The file for `url` (a path as links write it), `/`-separated and relative to the export. */
export function staticFile(url: string, html: boolean): string {
  const segments = url.split('/').slice(1);
  const names = segments.map((segment, i) => {
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      throw new StaticFileError(`${url}: "${segment}" is not valid percent-encoding`);
    }
    const last = i === segments.length - 1;
    if ((name === '' && !last) || name === '.' || name === '..')
      throw new StaticFileError(`${url}: a static host cannot serve a file at this address`);
    if (/[/\\\0]/.test(name))
      throw new StaticFileError(
        `${url}: "${name}" cannot be a file name on a static host (it holds "/", "\\" or a NUL)`,
      );
    return name;
  });
  const path = names.join('/');
  if (path === '' || path.endsWith('/')) return `${path}index.html`;
  return html ? `${path}.html` : path;
}
