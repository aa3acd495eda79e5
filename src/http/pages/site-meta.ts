import type { Config } from '../../config.ts';
import type { Author, SocialLink } from '../../settings/site-file-schema.ts';

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
  /** The site file's navigation menu, in order (issue #18); empty: the theme's own. */
  menu: readonly { label: string; url: string }[];
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
    menu: config.menu,
    social: config.social,
    authors: config.authors,
  };
}
