/**
 * An XSS corpus through the whole renderer (Markdown, raw HTML, sanitizer, code blocks).
 * The output is parsed (htmlparser2, which sanitize-html itself uses, decoding entities in
 * attributes and text) and checked structurally, and the harmless text around each attack
 * must survive.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Parser } from 'htmlparser2';
import { createCodeHighlighter } from '../../src/content/highlight/highlighter.ts';
import { createMarkdownRenderer } from '../../src/content/markdown/markdown.ts';

const renderer = createMarkdownRenderer(await createCodeHighlighter());

const FORBIDDEN_TAGS = new Set(
  'script style iframe frame frameset object embed applet svg math form button select textarea meta base link template noscript'.split(
    ' ',
  ),
);
const URL_ATTRIBUTES = new Set(
  'href src srcset cite action formaction data poster background xlink:href ping longdesc'.split(
    ' ',
  ),
);
const BAD_SCHEME = /^(?:javascript|vbscript|data):/i;
const SHIKI_STYLE = /^(?:--shiki-[a-z-]+:[^;"]+;?)+$/;

interface Parsed {
  text: string;
  problems: string[];
}

function percentDecode(value: string): string {
  let current = value;
  for (let i = 0; i < 3; i++) {
    const next = current.replace(/%([0-9a-f]{2})/gi, (_, hex: string) =>
      String.fromCharCode(Number.parseInt(hex, 16)),
    );
    if (next === current) break;
    current = next;
  }
  return current;
}

function urlIsDangerous(name: string, value: string): boolean {
  const urls = name === 'srcset' ? value.split(',') : [value];
  // eslint-disable-next-line no-control-regex -- browsers ignore them in schemes
  return urls.some((url) => BAD_SCHEME.test(percentDecode(url).replace(/[\u0000-\u0020]+/g, '')));
}

/** Everything unsafe in the HTML, as readable problems, plus its decoded text. */
function inspect(html: string): Parsed {
  const problems: string[] = [];
  const stack: boolean[] = []; // per open element: inside a Shiki block?
  let text = '';
  const parser = new Parser(
    {
      onopentag(name, attribs) {
        const inShiki =
          (stack.at(-1) ?? false) || (name === 'pre' && /\bshiki\b/.test(attribs.class ?? ''));
        stack.push(inShiki);
        if (FORBIDDEN_TAGS.has(name)) problems.push(`<${name}> element`);
        if (name === 'input' && (attribs.type !== 'checkbox' || !('disabled' in attribs))) {
          problems.push(`<input type=${attribs.type}> that is not a disabled checkbox`);
        }
        for (const [attribute, value] of Object.entries(attribs)) {
          if (/^on/i.test(attribute)) problems.push(`${attribute}= on <${name}>`);
          if (attribute === 'srcdoc') problems.push(`srcdoc= on <${name}>`);
          if (attribute === 'style' && !(inShiki && SHIKI_STYLE.test(value))) {
            problems.push(`style="${value}" on <${name}>`);
          }
          if (URL_ATTRIBUTES.has(attribute) && urlIsDangerous(attribute, value)) {
            problems.push(`${attribute}="${value}" on <${name}>`);
          }
        }
      },
      onclosetag() {
        stack.pop();
      },
      ontext(data) {
        text += data;
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  if (/<script/i.test(html)) problems.push('"<script" in the HTML source');
  return { text, problems };
}

interface Case {
  name: string;
  markdown: string;
  /** Text that must still be visible. */
  keep?: string[];
}

const b64 = Buffer.from('<script>alert(1)</script>').toString('base64');

const CASES: Case[] = [
  { name: 'script', markdown: '<script>alert(1)</script>' },
  { name: 'uppercase script', markdown: '<SCRIPT SRC=//evil.example/x.js></SCRIPT>' },
  { name: 'mixed-case script', markdown: '<ScRiPt>alert(1)</sCrIpT>' },
  { name: 'split script', markdown: '<scr<script>ipt>alert(1)</scr</script>ipt>' },
  { name: 'img onerror', markdown: '<img src=x onerror=alert(1)>' },
  { name: 'img onerror spaced', markdown: '<img src="x" alt="ok" onerror = "alert(1)" />' },
  {
    name: 'onclick',
    markdown: '<a href="https://example.com" onclick="alert(1)">a link</a>',
    keep: ['a link'],
  },
  { name: 'OnMouseOver', markdown: '<p OnMouseOver="alert(1)">hover me</p>', keep: ['hover me'] },
  {
    name: 'details ontoggle',
    markdown: '<details open ontoggle=alert(1)><summary>s</summary></details>',
  },
  {
    name: 'unknown element',
    markdown: '<x-widget onclick=alert(1)>custom</x-widget>',
    keep: ['custom'],
  },
  { name: 'javascript: href', markdown: '<a href="javascript:alert(1)">js</a>', keep: ['js'] },
  { name: 'JaVaScRiPt: href', markdown: '<a href="JaVaScRiPt:alert(1)">js</a>' },
  { name: 'tab inside scheme', markdown: '<a href="java\tscript:alert(1)">js</a>' },
  { name: 'entity tab inside scheme', markdown: '<a href="java&#x09;script:alert(1)">js</a>' },
  { name: 'newline entity in scheme', markdown: '<img src="jav&#x0A;ascript:alert(1)">' },
  { name: 'decimal entity', markdown: '<a href="&#106;avascript:alert(1)">js</a>' },
  { name: 'padded decimal entity', markdown: '<a href="&#0000106avascript:alert(1)">js</a>' },
  { name: 'hex entity', markdown: '<a href="&#x6A;avascript:alert(1)">js</a>' },
  {
    name: 'all hex entities',
    markdown:
      '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">js</a>',
  },
  { name: 'named colon entity', markdown: '<a href="javascript&colon;alert(1)">js</a>' },
  { name: 'percent-encoded', markdown: '<a href="%6Aavascript:alert(1)">js</a>' },
  { name: 'double percent-encoded', markdown: '<a href="%256Aavascript:alert(1)">js</a>' },
  { name: 'leading space', markdown: '<a href="  javascript:alert(1)">js</a>' },
  { name: 'comment in scheme', markdown: '<a href="java<!-- -->script:alert(1)">js</a>' },
  { name: 'vbscript:', markdown: '<a href="vbscript:msgbox(1)">vb</a>' },
  {
    name: 'markdown link',
    markdown: 'Click [me](javascript:alert(1)) now.',
    keep: ['Click', 'now.'],
  },
  { name: 'markdown link uppercase', markdown: '[me](JAVASCRIPT:alert(1))' },
  { name: 'markdown link angle', markdown: '[me](<javascript:alert(1)>)' },
  { name: 'markdown link entity', markdown: '[me](&#106;avascript:alert(1))' },
  { name: 'markdown link data', markdown: `[me](data:text/html;base64,${b64})` },
  { name: 'markdown reference link', markdown: '[me][r]\n\n[r]: javascript:alert(1)' },
  { name: 'markdown autolink', markdown: '<javascript:alert(1)>' },
  { name: 'markdown image', markdown: '![pic](javascript:alert(1))' },
  { name: 'markdown image data', markdown: '![pic](data:image/svg+xml;base64,PHN2Zz4=)' },
  { name: 'data: href', markdown: `<a href="data:text/html;base64,${b64}">data link</a>` },
  { name: 'img srcset', markdown: '<img srcset="a.png 1x, javascript:alert(1) 2x" alt="s">' },
  {
    name: 'source srcset data',
    markdown: '<picture><source srcset="data:image/png;base64,AAAA"></picture>',
  },
  { name: 'blockquote cite', markdown: '<blockquote cite="javascript:alert(1)">q</blockquote>' },
  {
    name: 'svg script and onload',
    markdown: '<svg onload=alert(1)><script>alert(2)</script><circle r="1"/></svg>',
  },
  {
    name: 'svg xlink',
    markdown: '<svg><a xlink:href="javascript:alert(1)"><text>svg link</text></a></svg>',
  },
  { name: 'iframe srcdoc', markdown: '<iframe srcdoc="<script>alert(1)</script>"></iframe>' },
  { name: 'iframe javascript', markdown: '<iframe src="javascript:alert(1)"></iframe>' },
  { name: 'object data', markdown: '<object data="javascript:alert(1)"></object>' },
  { name: 'embed', markdown: '<embed src="data:text/html,<script>alert(1)</script>">' },
  {
    name: 'math mglyph style',
    markdown:
      '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
  },
  {
    name: 'math href',
    markdown: '<math href="javascript:alert(1)">CLICKME</math>',
    keep: ['CLICKME'],
  },
  {
    name: 'math maction',
    markdown:
      '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">CLICK</maction></math>',
  },
  { name: 'style element', markdown: '<style>body{background:url(javascript:alert(1))}</style>' },
  {
    name: 'style expression',
    markdown: '<div style="width: expression(alert(1))">styled</div>',
    keep: ['styled'],
  },
  { name: 'style url', markdown: '<p style="background:url(\'javascript:alert(1)\')">bg</p>' },
  {
    name: 'form',
    markdown:
      '<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">go</button><input type="text" name="q"></form>',
  },
  { name: 'input', markdown: '<input type="checkbox" onfocus=alert(1) autofocus>' },
  {
    name: 'meta refresh',
    markdown: '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  },
  { name: 'base href', markdown: '<base href="https://evil.example/">' },
  { name: 'link', markdown: '<link rel="stylesheet" href="https://evil.example/x.css">' },
  { name: 'template', markdown: '<template><script>alert(1)</script></template>' },
  {
    name: 'noscript mutation',
    markdown: '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
  },
  { name: 'comment', markdown: '<!-- <script>alert(1)</script> -->' },
  {
    name: 'heading id',
    markdown: '# x" onmouseover="alert(1)',
  },
  {
    name: 'footnote label',
    markdown: 'Note[^a"onmouseover="alert(1)].\n\n[^a"onmouseover="alert(1)]: n',
  },
  {
    name: 'code placeholder inside an attribute',
    markdown: '<img alt="\n\n```ts\nconst x = 1;\n```\n\n">',
  },
  {
    name: 'code placeholder inside a block attribute',
    markdown: '<div title="\n\n```ts\nconst x = 1;\n```\n\n">text</div>',
  },
  {
    name: 'fence info string',
    markdown: '```"><script>alert(1)</script>\ncode\n```',
  },
];

/** Code blocks are not sanitized (they are ours), so their escaping is tested separately. */
const CODE_CASES: Case[] = ['', 'html', 'ts', 'klingon'].map((lang) => ({
  name: `script in a ${lang || 'plain'} code block`,
  markdown: `\`\`\`${lang}\n</script><script>alert(1)</script>\n<img src=x onerror=alert(1)>\n\`\`\``,
  keep: ['</script><script>alert(1)</script>', '<img src=x onerror=alert(1)>'],
}));

describe('XSS corpus', () => {
  for (const { name, markdown, keep = [] } of [...CASES, ...CODE_CASES]) {
    it(name, async () => {
      const source = `Before ${name}.\n\n${markdown}\n\nAfter ${name}.\n`;
      const { html } = await renderer.render(source, { bodyLine: 1 });
      const { text, problems } = inspect(html);
      assert.deepEqual(problems, [], html);
      for (const expected of [`Before ${name}.`, `After ${name}.`, ...keep]) {
        assert.ok(text.includes(expected), `"${expected}" is missing from:\n${html}`);
      }
    });
  }

  it('shows code visibly escaped, not as markup', async () => {
    const { html } = await renderer.render('```\n</script><script>alert(1)</script>\n```\n', {
      bodyLine: 1,
    });
    assert.equal(
      html,
      '<div class="code-block"><pre tabindex="0"><code><span class="line">&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</span></code></pre></div>\n',
    );
  });

  it('escapes a code block title and an unknown language in its header', async () => {
    const { html } = await renderer.render(
      '```"><img/src/onerror=alert(1)> title="</span><script>alert(1)</script>"\nx\n```\n',
      { bodyLine: 1 },
    );
    assert.doesNotMatch(html, /<script|<img/);
    assert.match(
      html,
      /<span class="code-title">&lt;\/span&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/span>/,
    );
    assert.match(
      html,
      /<span class="code-lang">&quot;&gt;&lt;img\/src\/onerror=alert\(1\)&gt;<\/span>/,
    );
  });

  it('keeps safe URLs: http(s), mailto, tel, relative, fragment', async () => {
    const links = [
      'https://example.com/a?b=1',
      'http://example.com',
      'mailto:a@example.com',
      'tel:+123',
      '/relative',
      '#frag',
    ];
    // Relative ones name files beside the post: their URL is put in when the body is read.
    const files = ['../up', 'a%3Ab'];
    const { html } = await renderer.render(
      [...links, ...files].map((url) => `[x](${url})`).join(' '),
      { bodyLine: 1 },
    );
    for (const url of links) assert.ok(html.includes(`href="${url.replace('&', '&amp;')}"`), url);
    for (const url of files) assert.ok(html.includes(`<a data-quire-file="${url}">`), url);
  });
});
