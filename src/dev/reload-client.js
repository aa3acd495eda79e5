// Dev server only: reloads this tab when the dev server says its page changed.
// The server sends {"paths": [...]} on every change; "*" means every page (a template changed).
/* global EventSource, location */
const events = new EventSource(`/__dev/events?path=${encodeURIComponent(location.pathname)}`);
events.addEventListener('message', (event) => {
  const { paths } = JSON.parse(event.data);
  if (
    paths.includes('*') ||
    paths.includes(location.pathname) ||
    paths.includes(decodeURIComponent(location.pathname))
  ) {
    location.reload();
  }
});
