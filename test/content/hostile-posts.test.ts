/**
 * Hostile and broken posts (issue #20), generated with fast-check and built by hand: random
 * front matter, random bytes, deep nesting, huge strings, YAML alias bombs, a 10 MB post, a post
 * with 10,000 code blocks. Every case must end in `file:line` problems or a rendered body within
 * a time bound, never a throw or a hang; and whatever the Markdown, the sanitized HTML, parsed by
 * parse5 (the HTML standard's parser, as a browser parses it), holds no element, attribute or URL
 * that can run script.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { type DefaultTreeAdapterMap, parseFragment } from 'parse5';
import { stringify } from 'yaml';
import { createCodeHighlighter } from '../../src/content/highlight/highlighter.ts';
import { createMarkdownRenderer } from '../../src/content/markdown/markdown.ts';
import { SiteLoader } from '../../src/content/site/site-loader.ts';
import { parsePost } from '../../src/content/source/front-matter.ts';
import { ContentError, type ContentProblem } from '../../src/content/types.ts';
import { tempDir } from '../helpers/posts-dir.ts';
import { XSS_PIECES } from '../helpers/xss-pieces.ts';

const FILE = 'posts/hostile.md';
const renderer = createMarkdownRenderer(await createCodeHighlighter());

/** parsePost's answer, checked: a post, or problems that each name the file and a real line. */
function parseChecked(source: string): 'post' | ContentProblem[] {
  const started = performance.now();
  const result = parsePost(FILE, source);
  assert.ok(performance.now() - started < 5000, 'parsed within 5 s');
  if (result.ok) return 'post';
  const lines = source.split(/\r?\n/).length;
  assert.ok(result.problems.length > 0, 'a failure says why');
  for (const problem of result.problems) {
    assert.equal(problem.file, FILE);
    assert.ok(
      Number.isInteger(problem.line) && problem.line >= 1 && problem.line <= lines,
      `line ${problem.line} of ${lines}: ${problem.message}`,
    );
    assert.ok(problem.message.trim().length > 0, 'a message');
  }
  return result.problems;
}

const withFrontMatter = (yaml: string, body = 'Body.\n') => `---\n${yaml}\n---\n${body}`;

describe('hostile front matter (#20)', () => {
  it('random fields and values: a post or file:line problems, never a throw', () => {
    const keys = fc.oneof(
      fc.constantFrom('title', 'date', 'updated', 'tags', 'summary', 'draft', 'slug', 'aliases'),
      fc.string({ maxLength: 12 }),
    );
    fc.assert(
      fc.property(fc.dictionary(keys, fc.jsonValue({ maxDepth: 4 }), { maxKeys: 10 }), (data) => {
        parseChecked(withFrontMatter(stringify(data)));
      }),
      { numRuns: 300 },
    );
  });

  it('random text and random bytes as a whole file, or as its front matter', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 400, unit: 'binary' }),
          fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
        ),
        fc.boolean(),
        (text, asFrontMatter) => {
          parseChecked(asFrontMatter ? withFrontMatter(text) : text);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('an alias bomb (billion laughs) is a problem at its line, found at once', () => {
    const bomb = [
      'title: Laughs',
      'date: 2026-01-01',
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      ...['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map(
        (name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`,
      ),
      'tags: *i',
    ].join('\n');
    const problems = parseChecked(withFrontMatter(bomb));
    assert.notEqual(problems, 'post');
  });

  it('deep nesting and huge strings', () => {
    for (const yaml of [
      `title: Deep\ndate: 2026-01-01\ntags: ${'['.repeat(5000)}${']'.repeat(5000)}`,
      `title: Deep\ndate: 2026-01-01\nsummary:\n${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i + 1)}- a`).join('\n')}`,
      `title: ${'x'.repeat(2_000_000)}\ndate: 2026-01-01`,
      `title: Huge\ndate: 2026-01-01\ntags: [${Array(50_000).fill('t').join(',')}]`,
    ]) {
      parseChecked(withFrontMatter(yaml));
    }
  });
});

/** Every element, attribute or URL in `html` that could run script, as parse5 builds the tree. */
function executable(html: string): string[] {
  const found: string[] = [];
  const RUNS = new Set(['script', 'iframe', 'frame', 'object', 'embed', 'applet', 'base', 'meta']);
  const URL_ATTRIBUTES = new Set([
    'href',
    'src',
    'srcset',
    'action',
    'formaction',
    'data',
    'poster',
    'xlink:href',
    'background',
  ]);
  const visit = (
    node: DefaultTreeAdapterMap['childNode'] | DefaultTreeAdapterMap['parentNode'],
  ) => {
    if ('tagName' in node) {
      if (RUNS.has(node.tagName)) found.push(`<${node.tagName}>`);
      for (const { name, value } of node.attrs) {
        if (/^on/i.test(name)) found.push(`${name}= on <${node.tagName}>`);
        if (name === 'srcdoc') found.push(`srcdoc= on <${node.tagName}>`);
        const urls = name === 'srcset' ? value.split(',') : [value];
        // Browsers drop control characters and spaces in a scheme before reading it.
        // eslint-disable-next-line no-control-regex
        const schemes = urls.map((url) => url.replace(/[\u0000-\u0020]+/g, '').toLowerCase());
        if (
          URL_ATTRIBUTES.has(name) &&
          schemes.some((url) => /^(javascript|vbscript|data):/.test(url))
        )
          found.push(`${name}="${value}" on <${node.tagName}>`);
      }
    }
    if ('content' in node) visit(node.content);
    if ('childNodes' in node) for (const child of node.childNodes) visit(child);
  };
  visit(parseFragment(html));
  return found;
}

describe('hostile Markdown (#20)', () => {
  it('whatever the Markdown and raw HTML, parse5 finds nothing in the output that runs script', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constantFrom(...XSS_PIECES), fc.string({ maxLength: 20 })), {
          maxLength: 12,
        }),
        async (pieces) => {
          const { html } = await renderer.render(pieces.join(''), { bodyLine: 5 });
          assert.deepEqual(executable(html), [], html);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a 10 MB post and a post of 10,000 code blocks render within 2 minutes each', async () => {
    const paragraph = `${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(20)}\n\n`;
    const tenMegabytes = paragraph.repeat(Math.ceil((10 * 2 ** 20) / paragraph.length));
    const blocks = Array.from(
      { length: 10_000 },
      (_, i) => `\`\`\`${i % 2 === 0 ? 'ts' : 'bash'}\nconst n${i} = ${i};\n\`\`\`\n`,
    ).join('\n');
    for (const body of [tenMegabytes, blocks]) {
      const started = performance.now();
      const rendered = await renderer.render(body, { bodyLine: 5 });
      assert.ok(performance.now() - started < 120_000, 'within 2 minutes');
      assert.ok(rendered.html.length > body.length / 2, 'the body is there');
    }
  });

  it('Markdown nested deeper than the stack: a file:line problem of that post, the others load', async () => {
    const postsDir = await tempDir('quire-hostile-posts-');
    const cacheDir = join(await tempDir('quire-hostile-cache-'), 'cache');
    await mkdir(postsDir, { recursive: true });
    await writeFile(join(postsDir, 'fine.md'), withFrontMatter('title: Fine\ndate: 2026-01-01'));
    await writeFile(
      join(postsDir, 'deep.md'),
      withFrontMatter('title: Deep\ndate: 2026-01-02', `${'>'.repeat(100_000)} too deep\n`),
    );
    const strict = new SiteLoader({ postsDir, cacheDir, strict: true });
    const error = await strict.load().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof ContentError, `a ContentError, not ${String(error)}`);
    assert.deepEqual(
      error.problems.map((problem) => [problem.file, problem.line]),
      [[join(postsDir, 'deep.md'), 5]], // the body's first line
    );
    assert.match(error.problems[0]?.message ?? '', /nested too deeply|could not be rendered/);

    const dev = new SiteLoader({ postsDir, cacheDir });
    await dev.load();
    assert.deepEqual(
      dev.posts().map((post) => post.slug),
      ['fine'],
    );
  });
});
