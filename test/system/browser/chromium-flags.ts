/**
 * The flags Debian's Chromium needs on these machines, shared by the browser suites and
 * `npm run audit`: no sandbox (root in a container), no GPU, and nothing that phones home
 * (the closed network refuses those connections, many at a time). Each launch also gets a
 * fresh profile directory (Playwright and chrome-launcher make their own).
 */
export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
