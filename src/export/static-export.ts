/**
 * The static export (issue #18, `npm run export`): the published site as files a static host
 * serves at the same addresses. Every file is the app's own answer to a GET of its URL
 * (`buildApp` + `inject`), so it is byte for byte what the server sends; URLs come from one list
 * of sources (export-urls.ts), files are named by the static-host rule (static-files.ts), moved
 * addresses become redirects (redirect-files.ts), and the folder is checked first (export-dir.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import { buildApp } from '../app.ts';
import type { Config } from '../config.ts';
import { publishedView } from '../content/site/published.ts';
import type { Site } from '../content/types.ts';
import { loadAssetManifest } from '../http/asset-manifest.ts';
import { claimExportDir, ExportDirError, finishExportDir } from './export-dir.ts';
import { exportUrls, type ExportUrl } from './export-urls.ts';
import { type Redirect, REDIRECTS_FILE, redirectPage, redirectsFile } from './redirect-files.ts';
import { StaticFileError, staticFile } from './static-files.ts';

export interface ExportOptions {
  config: Config;
  site: Site;
  dir: string;
  /** Write into a non-empty folder no export made. */
  force: boolean;
  /** The moment whose published view is exported. */
  now: Date;
  logger: Logger;
}

export interface ExportReport {
  /** Files written, the redirects file and the marker included. */
  files: number;
  redirects: number;
  /** One line per URL that could not be exported, naming it; the others are written. */
  problems: string[];
}

const statusOf = (entry: ExportUrl) => entry.status ?? 200;

export async function exportSite(options: ExportOptions): Promise<ExportReport> {
  const { config, site, dir, now } = options;
  const previous = await claimExportDir(dir, options.force);
  const app = buildApp(config, site, { logger: options.logger, now: () => now });
  const written = new Map<string, string>(); // file → URL
  const redirects: Redirect[] = [];
  const problems: string[] = [];

  const write = async (file: string, url: string, body: string | Buffer) => {
    const other = written.get(file);
    if (other !== undefined)
      throw new StaticFileError(`${url}: its file ${file} is the file of ${other} already`);
    written.set(file, url);
    try {
      await mkdir(dirname(join(dir, file)), { recursive: true });
      await writeFile(join(dir, file), body);
    } catch (error) {
      // The folder, not the address: a full disk or a lost permission fails every file after.
      throw new ExportDirError(`cannot write ${join(dir, file)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  };

  try {
    await app.ready();
    const assets = loadAssetManifest(join(config.templatesDir, 'assets'));
    const view = publishedView(site, now);
    for (const entry of await exportUrls({ site, view, pageSize: config.pageSize, assets })) {
      const { url } = entry;
      const response = await app.inject({ method: 'GET', url, headers: entry.headers ?? {} });
      try {
        if (response.statusCode !== statusOf(entry))
          throw new StaticFileError(
            `${url}: answered ${response.statusCode} instead of ${statusOf(entry)}`,
          );
        if (statusOf(entry) === 301) {
          const location = String(response.headers.location);
          const page = redirectPage(location, site.url, config.siteLanguage);
          await write(entry.file ?? staticFile(url, true), url, page);
          redirects.push({ from: url, to: location });
        } else {
          const html = String(response.headers['content-type']).startsWith('text/html');
          await write(entry.file ?? staticFile(url, html), url, response.rawPayload);
        }
      } catch (error) {
        if (!(error instanceof StaticFileError)) throw error;
        problems.push(error.message);
      }
    }
    await write(REDIRECTS_FILE, REDIRECTS_FILE, redirectsFile(redirects));
    await finishExportDir(dir, previous, [...written.keys()]);
  } finally {
    await app.close();
  }
  return { files: written.size + 1, redirects: redirects.length, problems };
}
