/**
 * `npm run nginx:headers`: writes nginx's security-header snippets from the app's own list
 * (src/cli/nginx-security-headers.ts). Run it after changing `src/http/security-headers.ts`.
 */
import { writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import {
  ADD_SNIPPET_PATH,
  addSnippet,
  HIDE_SNIPPET_PATH,
  hideSnippet,
} from './nginx-security-headers.ts';

await writeFile(ADD_SNIPPET_PATH, addSnippet());
await writeFile(HIDE_SNIPPET_PATH, hideSnippet());
for (const path of [ADD_SNIPPET_PATH, HIDE_SNIPPET_PATH]) {
  process.stdout.write(`${relative(process.cwd(), path)}\n`);
}
