// Adds a "Copy" button to every code block on the page (issue #3).
// Progressive enhancement: without JavaScript, or without the Clipboard API (plain HTTP on a
// remote host), no button appears and the blocks are unchanged. A file, never inline code:
// the Content-Security-Policy allows scripts from our own origin only.
/* global document, navigator, setTimeout, clearTimeout */
(() => {
  if (!navigator.clipboard) return;
  const RESET_MS = 2000;

  for (const block of document.querySelectorAll('.code-block')) {
    const code = block.querySelector('pre code');
    if (!code) continue;
    let header = block.querySelector('.code-header');
    if (!header) {
      header = document.createElement('div');
      header.className = 'code-header';
      block.prepend(header);
    }
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'copy-button';
    button.textContent = 'Copy';
    // Screen readers hear the outcome; the button's own label stays "Copy".
    const status = document.createElement('span');
    status.className = 'visually-hidden';
    status.setAttribute('role', 'status');
    header.append(button, status);

    let timer;
    button.addEventListener('click', async () => {
      let outcome;
      try {
        await navigator.clipboard.writeText(code.textContent);
        outcome = 'Copied';
      } catch {
        outcome = 'Copy failed';
      }
      button.textContent = outcome;
      status.textContent = outcome === 'Copied' ? 'Code copied to the clipboard' : outcome;
      clearTimeout(timer);
      timer = setTimeout(() => {
        button.textContent = 'Copy';
        status.textContent = '';
      }, RESET_MS);
    });
  }
})();
