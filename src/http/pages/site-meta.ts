import type { Config } from '../../config.ts';
import type { Author, SocialLink } from '../../settings/site-file-schema.ts';
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
  /** The header's menu, in order (`site.menu` in templates): the site file's, else `DEFAULT_MENU`. */
  menu: readonly MenuItem[];
  /** Whether code blocks show line numbers unless their fence says otherwise (`CODE_LINE_NUMBERS`). */
  codeLineNumbers: boolean;
  /** The site file's links to the site elsewhere, for the footer. */
  social: readonly SocialLink[];
  /** The site file's authors, by the key front matter `authors` names them with. */
  authors: Readonly<Record<string, Author>>;
}

/** What the configuration says of the site (the dev server applies it again after a change). */
export function siteMeta(config: Config): SiteMeta {
  return {
    title: config.siteTitle,
    url: config.siteUrl,
    description: config.siteDescription,
    author: config.siteAuthor,
    language: config.siteLanguage,
    menu: config.menu.length > 0 ? config.menu : DEFAULT_MENU,
    codeLineNumbers: config.codeLineNumbers,
    social: config.social,
    authors: config.authors,
  };
}

/** The menu of a site whose site file names none (issue #19); `menu` in quire.yaml replaces it (#18). */
export const DEFAULT_MENU: readonly MenuItem[] = [
  { label: 'Posts', url: '/' },
  { label: 'Tags', url: TAGS_PATH },
  { label: 'Archive', url: ARCHIVE_PATH },
  { label: 'Search', url: '/search' },
  { label: 'Feed', url: feedPath('atom') },
];
