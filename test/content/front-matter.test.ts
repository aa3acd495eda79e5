import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePage, parsePost } from '../../src/content/source/front-matter.ts';

const FILE = 'posts/hello.md';

/** The problems for a post, as the `file:line: message` lines a writer reads. */
function problems(source: string): string[] {
  const result = parsePost(FILE, source);
  assert.equal(result.ok, false, 'expected the post to be rejected');
  return result.ok ? [] : result.problems.map((p) => `${p.file}:${p.line}: ${p.message}`);
}

const post = (frontMatter: string, body = '# Hello\n') => `---\n${frontMatter}\n---\n${body}`;

describe('front matter', () => {
  it('parses every field, with defaults and the body position', () => {
    const result = parsePost(
      FILE,
      post(
        'title: Hello\ndate: 2026-11-02\nupdated: 2026-11-03T10:30:00+01:00\ntags: [a, b]\nsummary: Hi.\ndraft: true\naliases: [old-hello]',
        'Body\n',
      ),
    );
    assert.ok(result.ok);
    const { frontMatter, body, bodyLine } = result.post;
    assert.deepEqual(frontMatter, {
      title: 'Hello',
      date: new Date('2026-11-02T00:00:00Z'),
      updated: new Date('2026-11-03T09:30:00Z'),
      tags: ['a', 'b'],
      summary: 'Hi.',
      authors: [],
      draft: true,
      slug: 'hello',
      aliases: ['old-hello'],
    });
    assert.equal(body, 'Body\n');
    assert.equal(bodyLine, 10);
  });

  it('defaults tags, draft and aliases, and takes the slug from front matter over the file name', () => {
    const result = parsePost(FILE, post('title: Hi\ndate: 2026-01-01\nslug: custom-slug'));
    assert.ok(result.ok);
    assert.deepEqual(result.post.frontMatter.tags, []);
    assert.equal(result.post.frontMatter.draft, false);
    assert.equal(result.post.frontMatter.slug, 'custom-slug');
  });

  it('accepts a byte order mark and CRLF line endings', () => {
    const result = parsePost(FILE, '\uFEFF---\r\ntitle: Hi\r\ndate: 2026-01-01\r\n---\r\nBody');
    assert.ok(result.ok);
    assert.equal(result.post.body, 'Body');
  });

  it('names an unknown field with the nearest known one', () => {
    assert.deepEqual(problems(post('title: Hi\ndate: 2026-01-01\ntag: [a]')), [
      'posts/hello.md:4: unknown field "tag" (did you mean "tags"?)',
    ]);
    assert.deepEqual(problems(post('title: Hi\ndate: 2026-01-01\ntgas: [a]\ndraf: true')), [
      'posts/hello.md:4: unknown field "tgas" (did you mean "tags"?)',
      'posts/hello.md:5: unknown field "draf" (did you mean "draft"?)',
    ]);
    assert.deepEqual(problems(post('title: Hi\ndate: 2026-01-01\ncolour: red')), [
      'posts/hello.md:4: unknown field "colour" (known fields: title, date, updated, tags, summary, description, authors, canonical, draft, slug, aliases, cover)',
    ]);
  });

  it('reports a missing title or date at the opening line', () => {
    assert.deepEqual(problems(post('date: 2026-01-01')), [
      'posts/hello.md:1: missing required field "title"',
    ]);
    assert.deepEqual(problems(post('title: Hi')), [
      'posts/hello.md:1: missing required field "date"',
    ]);
    assert.deepEqual(problems('---\n---\nBody'), [
      'posts/hello.md:1: missing required field "title"',
      'posts/hello.md:1: missing required field "date"',
    ]);
  });

  it('reports wrong types at the line of the value', () => {
    assert.deepEqual(problems(post('title: Hi\ndate: 2026-01-01\ntags: hello')), [
      'posts/hello.md:4: "tags" must be a list of non-empty strings (got "hello")',
    ]);
    assert.deepEqual(problems(post('title: Hi\ndate: 2026-01-01\ntags:\n  - ok\n  - 3')), [
      'posts/hello.md:6: "tags" must be a list of non-empty strings (got 3)',
    ]);
    assert.deepEqual(problems(post('title: Hi\ndate: 2026-01-01\ndraft: yes')), [
      'posts/hello.md:4: "draft" must be true or false (got "yes")',
    ]);
    assert.deepEqual(problems(post('title: [a]\ndate: 2026-01-01')), [
      'posts/hello.md:2: "title" must be a string',
    ]);
    assert.deepEqual(problems(post('title: "  "\ndate: 2026-01-01')), [
      'posts/hello.md:2: "title" must not be empty (got "  ")',
    ]);
    assert.deepEqual(problems(post('title: Hi\ndate: 2026-01-01\nslug: Bad Slug')), [
      'posts/hello.md:4: "slug" must be lowercase letters, digits and single "-", "_" or "." between them (got "Bad Slug")',
    ]);
  });

  it('rejects unparseable dates, impossible dates and times without an offset', () => {
    const expected = (line: number, got: string) =>
      `posts/hello.md:${line}: "date" must be an ISO 8601 date, e.g. 2026-11-23 or 2026-11-23T09:30:00Z (a time needs an offset: Z or +01:00) (got ${got})`;
    assert.deepEqual(problems(post('title: Hi\ndate: next tuesday')), [
      expected(3, '"next tuesday"'),
    ]);
    assert.deepEqual(problems(post('title: Hi\ndate: 2026')), [expected(3, '2026')]);
    assert.deepEqual(problems(post('title: Hi\ndate: 2026-01-01T10:00')), [
      expected(3, '"2026-01-01T10:00"'),
    ]);
    assert.deepEqual(problems(post('title: Hi\ndate: 2026-02-30')), [
      'posts/hello.md:3: "date" is not a real calendar date (got "2026-02-30")',
    ]);
    assert.deepEqual(problems(post('title: Hi\ndate: 2026-01-01\nupdated: soon')), [
      'posts/hello.md:4: "updated" must be an ISO 8601 date, e.g. 2026-11-23 or 2026-11-23T09:30:00Z (a time needs an offset: Z or +01:00) (got "soon")',
    ]);
  });

  it('reports broken YAML at its line', () => {
    assert.deepEqual(problems(post('title: Hi\ndate: 2026-01-01\ntags: [a, b')), [
      'posts/hello.md:4: invalid YAML in front matter: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    assert.deepEqual(problems(post('title: Hi\ntitle: Again\ndate: 2026-01-01')), [
      'posts/hello.md:3: invalid YAML in front matter: Map keys must be unique',
    ]);
  });

  it('explains a missing or unclosed front matter block', () => {
    assert.deepEqual(problems('# Just Markdown\n'), [
      'posts/hello.md:1: missing front matter: a post starts with a "---" line, YAML with "title" and "date", then "---"',
    ]);
    assert.deepEqual(problems('---\ntitle: Hi\n'), [
      'posts/hello.md:1: front matter is not closed: add a "---" line after it',
    ]);
    assert.deepEqual(problems('---\n- a list\n---\n'), [
      'posts/hello.md:2: front matter must be fields like "title: My post", one per line',
    ]);
  });

  it('rejects a file name that cannot be a slug unless front matter sets one', () => {
    const source = post('title: Hi\ndate: 2026-01-01');
    const result = parsePost('posts/My Post.md', source);
    assert.equal(result.ok, false);
    assert.match(
      result.ok ? '' : (result.problems[0]?.message ?? ''),
      /file name "My Post" is not a usable slug/,
    );
    assert.ok(parsePost('posts/My Post.md', post('title: Hi\ndate: 2026-01-01\nslug: my-post')).ok);
  });

  it('names a post folder’s index.md after its folder, which must then be a usable slug', () => {
    const source = post('title: Hi\ndate: 2026-01-01');
    const bundle = parsePost('posts/a-trip/index.md', source);
    assert.ok(bundle.ok);
    assert.equal(bundle.post.frontMatter.slug, 'a-trip');
    const bad = parsePost('posts/My Trip/index.md', source);
    assert.deepEqual(bad.ok ? [] : bad.problems.map((p) => `${p.line}: ${p.message}`), [
      '1: folder name "My Trip" is not a usable slug: rename the folder or set "slug" (lowercase letters, digits and single "-", "_" or ".")',
    ]);
  });

  it('reads a cover: an image beside the post and its required alt text', () => {
    const result = parsePost(
      FILE,
      post('title: Hi\ndate: 2026-01-01\ncover:\n  src: photo.jpg\n  alt: " The view "'),
    );
    assert.ok(result.ok);
    assert.deepEqual(result.post.frontMatter.cover, { src: 'photo.jpg', alt: 'The view' });
    assert.equal(result.post.fieldLines.cover, 4);
  });

  it('explains a cover without alt text, with an empty one, or written as a file name alone', () => {
    const fm = (cover: string) => post(`title: Hi\ndate: 2026-01-01\n${cover}`);
    assert.deepEqual(problems(fm('cover:\n  src: photo.jpg')), [
      'posts/hello.md:4: "cover" needs "alt": a text saying what the image shows, for readers who cannot see it',
    ]);
    assert.deepEqual(problems(fm('cover: { src: photo.jpg, alt: "" }')), [
      'posts/hello.md:4: "cover.alt" must not be empty: say what the image shows (got "")',
    ]);
    assert.deepEqual(problems(fm('cover:\n  src: photo.jpg\n  alt: "  "')), [
      'posts/hello.md:6: "cover.alt" must not be empty: say what the image shows (got "  ")',
    ]);
    assert.deepEqual(problems(fm('cover: photo.jpg')), [
      'posts/hello.md:4: "cover" needs the image and a text saying what it shows (alt is required), e.g. cover: { src: photo.jpg, alt: "A red kite over the hills" } (got "photo.jpg")',
    ]);
    assert.deepEqual(problems(fm('cover: { alt: A photo }')), [
      'posts/hello.md:4: "cover" needs "src": the image file, relative to the post\'s folder',
    ]);
    assert.deepEqual(problems(fm('cover:\n  src: photo.jpg\n  alt: A photo\n  caption: Hi')), [
      'posts/hello.md:7: unknown field "caption" in "cover" (known fields: src, alt)',
    ]);
    assert.deepEqual(problems(fm('cover:\n  scr: photo.jpg\n  alt: A photo')), [
      'posts/hello.md:4: "cover" needs "src": the image file, relative to the post\'s folder',
      'posts/hello.md:5: unknown field "scr" in "cover" (did you mean "src"?)',
    ]);
  });

  it('reads description, authors and canonical (issue #18)', () => {
    const result = parsePost(
      FILE,
      post(
        'title: Hi\ndate: 2026-01-01\ndescription: For search engines.\nauthors: [alice, bob]\ncanonical: https://elsewhere.example/hi',
      ),
    );
    assert.ok(result.ok);
    const { description, authors, canonical } = result.post.frontMatter;
    assert.deepEqual(
      { description, authors, canonical },
      {
        description: 'For search engines.',
        authors: ['alice', 'bob'],
        canonical: 'https://elsewhere.example/hi',
      },
    );
    const line = (text: string) => post(`title: Hi\ndate: 2026-01-01\n${text}`);
    for (const bad of ['elsewhere.example/hi', '/posts/hi', 'ftp://elsewhere.example/hi']) {
      assert.deepEqual(problems(line(`canonical: ${bad}`)), [
        `posts/hello.md:4: "canonical" must be an absolute http or https URL (got ${JSON.stringify(bad)})`,
      ]);
    }
    assert.deepEqual(problems(line('authors: alice')), [
      'posts/hello.md:4: "authors" must be a list of author keys from quire.yaml (got "alice")',
    ]);
    assert.deepEqual(problems(line(`description: ${'d'.repeat(301)}`)), [
      `posts/hello.md:4: "description" must be at most 300 characters (got "${'d'.repeat(56)}…)`,
    ]);
    assert.deepEqual(problems(line('descripton: Typo.')), [
      'posts/hello.md:4: unknown field "descripton" (did you mean "description"?)',
    ]);
  });

  it('parses a standalone page: a title, no date, and page words in its problems', () => {
    const result = parsePage('pages/about.md', '---\ntitle: About\n---\nHello.\n');
    assert.ok(result.ok);
    assert.deepEqual(result.post.frontMatter, { title: 'About', draft: false, slug: 'about' });
    const rejected = parsePage('pages/about.md', 'Hello.\n');
    assert.deepEqual(rejected.ok ? [] : rejected.problems.map((p) => p.message), [
      'missing front matter: a page starts with a "---" line, YAML with "title", then "---"',
    ]);
  });
});
