/** What pages, feeds and the sitemap say about the site itself (from config). */
export interface SiteMeta {
  title: string;
  /** Absolute base URL without a trailing slash (config `SITE_URL`). */
  url: string;
  /** May be empty (config `SITE_DESCRIPTION`). */
  description: string;
  /** Config `SITE_AUTHOR`, by default the title. */
  author: string;
  /** BCP 47, as on `<html lang>`. */
  language: string;
  /** Whether code blocks show line numbers unless their fence says otherwise (`CODE_LINE_NUMBERS`). */
  codeLineNumbers: boolean;
}
