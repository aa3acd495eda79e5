import { ARCHIVE_PATH, feedPath, TAGS_PATH } from '../paths.ts';

/** One entry of the header's menu. */
export interface MenuItem {
  label: string;
  /** A path on this site (`/tags/`) or an absolute URL. */
  url: string;
}

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
  /** The header's menu, in order (`site.menu` in templates). */
  menu: readonly MenuItem[];
  /** Whether code blocks show line numbers unless their fence says otherwise (`CODE_LINE_NUMBERS`). */
  codeLineNumbers: boolean;
}

/** The menu of a site that names none (issue #19); the site file of issue #18 will name one. */
export const DEFAULT_MENU: readonly MenuItem[] = [
  { label: 'Posts', url: '/' },
  { label: 'Tags', url: TAGS_PATH },
  { label: 'Archive', url: ARCHIVE_PATH },
  { label: 'Search', url: '/search' },
  { label: 'Feed', url: feedPath('atom') },
];
