/**
 * The two themes every block is rendered with; part of the renderer fingerprint. On its own so
 * that the fingerprint, which every serving process computes at start, does not load Shiki
 * (highlighter.ts): a warm start renders nothing (issue #7, ready within 2 s).
 *
 * The "default" GitHub themes rather than the older `github-light`/`github-dark`: every token
 * colour of these meets WCAG AA (4.5:1) on their backgrounds, while `github-dark`'s comments
 * (#6a737d on #24292e) are 3:1 (issue #3, "WCAG AA contrast in both schemes").
 */
export const THEMES = { light: 'github-light-default', dark: 'github-dark-default' } as const;
