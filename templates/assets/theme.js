// The light/dark toggle (issue #19). Loaded from <head>, before the stylesheet and without
// `defer`: it sets <html data-theme> before the first paint, so a reader who chose a theme never
// sees a flash of the other one. A file, never inline code: the Content-Security-Policy allows
// scripts from our own origin only.
//
// The theme starts as the system's (`prefers-color-scheme`). A choice that differs from the
// system's is remembered (localStorage); choosing the system's own theme again forgets it, so the
// page follows the system from then on. Without JavaScript the stylesheet follows the system
// and the button stays hidden (it shows only once `data-theme` is set).
/* global document, window, localStorage */
(() => {
  const KEY = 'quire-theme';
  const root = document.documentElement;
  const systemDark = window.matchMedia('(prefers-color-scheme: dark)');
  const system = () => (systemDark.matches ? 'dark' : 'light');

  // Storage may be refused (private windows, blocked cookies): the theme then follows the system.
  const stored = () => {
    try {
      const value = localStorage.getItem(KEY);
      return value === 'light' || value === 'dark' ? value : undefined;
    } catch {
      return undefined;
    }
  };
  const store = (theme) => {
    try {
      if (theme === system()) localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, theme);
    } catch {
      // not remembered; still applied to this page
    }
  };

  const apply = (theme) => {
    root.dataset.theme = theme;
    const button = document.querySelector('.theme-toggle');
    if (button) button.setAttribute('aria-pressed', String(theme === 'dark'));
  };

  apply(stored() ?? system());
  systemDark.addEventListener('change', () => apply(stored() ?? system()));
  // Another tab of this site changed the choice.
  window.addEventListener('storage', (event) => {
    if (event.key === KEY || event.key === null) apply(stored() ?? system());
  });

  document.addEventListener('DOMContentLoaded', () => {
    const button = document.querySelector('.theme-toggle');
    if (!button) return;
    apply(root.dataset.theme);
    button.addEventListener('click', () => {
      const theme = root.dataset.theme === 'dark' ? 'light' : 'dark';
      store(theme);
      apply(theme);
    });
  });
})();
