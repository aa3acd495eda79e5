/**
 * The two Shiki themes Quire renders every code block with (light and dark at once), for the
 * references that highlight the same code: Shiki alone and Eleventy with Shiki. Named here, not
 * imported from src/, so the bench depends on Quire's behaviour only: `themesOfPage` reads them
 * back from a page Quire served, and the bench warns when they differ.
 */
export const THEMES = { light: 'github-light-default', dark: 'github-dark-default' } as const;

/** The themes named by the first Shiki block of a page (`class="shiki shiki-themes A B"`). */
export function themesOfPage(html: string): string[] | undefined {
  const match = /class="shiki shiki-themes ([^"]+)"/.exec(html);
  return match?.[1]?.trim().split(/\s+/);
}
