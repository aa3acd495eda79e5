/**
 * Pieces of Markdown and HTML that attacks are made of (issue #20): fast-check combines them in
 * test/content/hostile-posts.test.ts (checked with parse5), and the Chromium test
 * (test/system/browser/hostile-posts.test.ts) serves them as posts. Every would-be payload calls
 * `alert(1)`, so running one shows as a dialog.
 */
export const XSS_PIECES = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '<a href="java\tscript:alert(1)">x</a>',
  '<svg><script>alert(1)</script></svg>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<style><img src=x onerror=alert(1)></style>',
  '<form><button formaction=javascript:alert(1)>x</button></form>',
  '<!--><img src=x onerror=alert(1)>-->',
  '<textarea><img src=x onerror=alert(1)></textarea>',
  '<template><script>alert(1)</script></template>',
  '[x](javascript:alert(1))',
  '![x](javascript:alert(1))',
  '[x]: javascript:alert(1)\n\n[x]',
  '<https://example.com/"onmouseover="alert(1)>',
  '```html\n<script>alert(1)</script>\n```',
  '`<img src=x onerror=alert(1)>`',
  '<details open ontoggle=alert(1)>',
  '<object data="data:text/html,<script>alert(1)</script>">',
  '&lt;script&gt;',
  '<',
  '>',
  '"',
  "'",
  '=',
  '\n\n',
  '> ',
  '* ',
  '|a|b|\n|-|-|\n',
  '[^1]\n\n[^1]: <img src=x onerror=alert(1)>',
];
