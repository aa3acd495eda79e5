/**
 * The site file, quire.yaml (issue #18): real files read by the configuration. What it gives, what
 * wins over it (variables and flags, so Kubernetes and compose keep working), and each mistake a
 * writer can make in it, reported as `quire.yaml:LINE: message` with nothing else lost.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, loadConfigReport } from '../../src/config.ts';
import { ContentError, formatProblem } from '../../src/content/types.ts';
import { tempDir } from '../helpers/posts-dir.ts';

/** Writes `text` as a site file in a new folder; its path. */
async function siteFile(text: string, name = 'quire.yaml'): Promise<string> {
  const path = join(await tempDir(), name);
  await writeFile(path, text);
  return path;
}

/** The problems of a site file, as the lines a writer reads, with the file's folder left out. */
async function problemsOf(text: string): Promise<string[]> {
  const path = await siteFile(text);
  const { siteFileProblems } = loadConfigReport({ SITE_FILE: path }, []);
  return siteFileProblems.map((problem) => formatProblem(problem).replace(path, 'quire.yaml'));
}

const SAMPLE = `title: Field notes
description: Notes from the field.
language: de-de
url: https://notes.example/
pageSize: 5
pagesDir: about-pages
authors:
  alice:
    name: Alice Example
    url: https://alice.example/
    avatar: /images/alice.png
  bob:
    name: Bob
menu:
  - label: Feed
    url: /feed.xml
  - label: About
    url: /about/
    order: 2
  - label: Posts
    url: /
    order: 1
  - label: Elsewhere
    url: https://elsewhere.example/
social:
  - label: Mastodon
    url: https://mastodon.example/@alice
  - label: Mail
    url: mailto:alice@notes.example
defaultCover:
  src: images/cover.jpg
  alt: A field at dawn
images:
  maxMegabytes: 8
  widths: [480, 960]
`;

describe('the site file', () => {
  it('gives the site its settings, authors, menu (in order), social links and image settings', async () => {
    const path = await siteFile(SAMPLE);
    const config = loadConfig({ SITE_FILE: path }, []);
    assert.equal(config.siteTitle, 'Field notes');
    assert.equal(config.siteDescription, 'Notes from the field.');
    assert.equal(config.siteLanguage, 'de-DE', 'in canonical form, as from SITE_LANGUAGE');
    assert.equal(config.siteUrl, 'https://notes.example', 'no trailing slash, as from SITE_URL');
    assert.equal(config.pageSize, 5);
    assert.equal(config.pagesDir, join(path, '..', 'about-pages'), 'relative to the site file');
    assert.equal(config.siteAuthor, 'Alice Example', 'the first author, without SITE_AUTHOR');
    assert.deepEqual(Object.keys(config.authors), ['alice', 'bob']);
    assert.deepEqual(config.authors.alice, {
      name: 'Alice Example',
      url: 'https://alice.example/',
      avatar: '/images/alice.png',
    });
    assert.deepEqual(
      config.menu.map((entry) => entry.label),
      ['Posts', 'About', 'Feed', 'Elsewhere'],
      'by order, then those without one in the file’s order',
    );
    assert.deepEqual(config.menu[1], { label: 'About', url: '/about/' });
    assert.deepEqual(
      config.social.map((link) => link.url),
      ['https://mastodon.example/@alice', 'mailto:alice@notes.example'],
    );
    assert.deepEqual(config.defaultCover, {
      src: 'images/cover.jpg',
      alt: 'A field at dawn',
      // Where its problems are reported: the site file, at the line of `src`.
      file: path,
      line: SAMPLE.split('\n').indexOf('  src: images/cover.jpg') + 1,
    });
    assert.equal(config.imageMaxMb, 8);
    assert.deepEqual(config.imageWidths, [480, 960]);
  });

  it('is overridden by environment variables, and they by flags; the file beats the defaults', async () => {
    const path = await siteFile(SAMPLE);
    const env = {
      SITE_FILE: path,
      SITE_TITLE: 'From the environment',
      PAGE_SIZE: '7',
      SITE_URL: 'https://env.example',
      IMAGE_MAX_MB: '12',
      SITE_AUTHOR: 'Carol',
      PAGES_DIR: 'env-pages',
    };
    const fromEnv = loadConfig(env, []);
    assert.deepEqual(
      [fromEnv.siteTitle, fromEnv.pageSize, fromEnv.siteUrl, fromEnv.imageMaxMb],
      ['From the environment', 7, 'https://env.example', 12],
    );
    assert.equal(fromEnv.siteAuthor, 'Carol');
    assert.equal(fromEnv.pagesDir, 'env-pages');
    assert.equal(fromEnv.siteDescription, 'Notes from the field.', 'what the env leaves is kept');
    const fromFlags = loadConfig(env, ['--site-title', 'From a flag', '--page-size', '3']);
    assert.deepEqual([fromFlags.siteTitle, fromFlags.pageSize], ['From a flag', 3]);
    const defaults = loadConfig({ SITE_FILE: await siteFile('# nothing set\n') }, []);
    assert.deepEqual(
      [defaults.siteTitle, defaults.pageSize, defaults.siteAuthor, defaults.pagesDir],
      ['Quire', 10, 'Quire', './pages'],
    );
  });

  it('is quire.yaml in the working directory by default, and the defaults when there is none', async () => {
    const cwd = await tempDir();
    const title = () => {
      const script = `import('${fileURLToPath(new URL('../../src/config.ts', import.meta.url))}').then((m) => console.log(m.loadConfig().siteTitle))`;
      const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd,
        env: { PATH: process.env.PATH ?? '' },
        encoding: 'utf8',
      });
      assert.equal(run.stderr, '');
      return run.stdout.trim();
    };
    assert.equal(title(), 'Quire');
    await writeFile(join(cwd, 'quire.yaml'), 'title: Mine\n');
    assert.equal(title(), 'Mine');
  });

  it('must exist when SITE_FILE names it: a typo there would silently mean the defaults', () => {
    assert.throws(
      () => loadConfig({ SITE_FILE: '/nowhere/quire.yml' }, []),
      new ConfigError('SITE_FILE must name an existing file (got "/nowhere/quire.yml")'),
    );
  });

  it('names an unknown key at its line with the nearest known one, at any depth', async () => {
    assert.deepEqual(
      await problemsOf(
        'titel: Notes\nauthors:\n  alice:\n    nmae: Alice\nmenu:\n  - label: About\n    link: /about/\ncolour: red\n',
      ),
      [
        'quire.yaml:1: unknown key "titel" (did you mean "title"?)',
        'quire.yaml:3: missing required key "name"',
        'quire.yaml:4: unknown key "nmae" (did you mean "name"?)',
        'quire.yaml:6: missing required key "url"',
        'quire.yaml:7: unknown key "link" (known keys: label, url, order)',
        'quire.yaml:8: unknown key "colour" (known keys: title, description, language, url, pageSize, pagesDir, authors, menu, social, defaultCover, images)',
      ],
    );
  });

  it('names a value of the wrong type or out of range at its line, with what it got', async () => {
    assert.deepEqual(
      await problemsOf(
        [
          'title: [a, b]',
          'pageSize: ten',
          'language: english',
          'url: blog.example',
          'description: 42',
          'menu:',
          '  - label: Home',
          '    url: home',
          '    order: first',
          'social:',
          '  - label: Mastodon',
          '    url: mastodon.example/@me',
          'authors:',
          '  Alice:',
          '    name: Alice',
          '  bob:',
          '    name: Bob',
          '    url: /bob/',
          'images:',
          '  maxMegabytes: 0',
          '  widths: [480, 2.5]',
          '',
        ].join('\n'),
      ),
      [
        'quire.yaml:1: "title" must be a string',
        'quire.yaml:2: "pageSize" must be a number of posts per page from 1 to 100 (got "ten")',
        'quire.yaml:3: "language" must be a BCP 47 language tag, e.g. en, de or pt-BR (got "english")',
        'quire.yaml:4: "url" must be an absolute http(s) URL, e.g. https://blog.example (got "blog.example")',
        'quire.yaml:5: "description" must be a string (got 42)',
        'quire.yaml:8: "url" must be a path on this site such as /about/, or an absolute http or https URL (got "home")',
        'quire.yaml:9: "order" must be a whole number (got "first")',
        'quire.yaml:12: "url" must be an absolute http, https or mailto URL (got "mastodon.example/@me")',
        'quire.yaml:14: author keys must be lowercase letters, digits, "-" and "_", starting with a letter',
        'quire.yaml:18: "url" must be an absolute http or https URL, e.g. https://example.com/ (got "/bob/")',
        'quire.yaml:20: "maxMegabytes" must be a number of megabytes from 1 to 1024 (got 0)',
        'quire.yaml:21: "widths" must be a width in pixels from 16 to 10000 (got 2.5)',
      ],
    );
  });

  it('takes image widths in any order, sorted, and reports each bad list or width at its line', async () => {
    const path = await siteFile('images:\n  widths: [1200, 320, 640]\n');
    assert.deepEqual(loadConfig({ SITE_FILE: path }, []).imageWidths, [320, 640, 1200]);
    const bad = [
      ['widths: []', '"widths" must not be empty'],
      ['widths: 480', '"widths" must be a list of widths in pixels (got 480)'],
      ['widths: [480, 0]', '"widths" must be a width in pixels from 16 to 10000 (got 0)'],
      ['widths: [-480]', '"widths" must be a width in pixels from 16 to 10000 (got -480)'],
      ['widths: [480, 10001]', '"widths" must be a width in pixels from 16 to 10000 (got 10001)'],
      ['widths: [480.5]', '"widths" must be a width in pixels from 16 to 10000 (got 480.5)'],
      ['widths: [wide]', '"widths" must be a width in pixels from 16 to 10000 (got "wide")'],
      ['widths: [480, 960, 480]', '"widths" must not repeat a width (got 480)'],
    ];
    for (const [value, message] of bad) {
      assert.deepEqual(await problemsOf(`title: Notes\nimages:\n  ${value}\n`), [
        `quire.yaml:3: ${message}`,
      ]);
    }
    // A list over several lines: the problem is at the bad width's own line.
    assert.deepEqual(await problemsOf('images:\n  widths:\n    - 480\n    - 960\n    - 480\n'), [
      'quire.yaml:5: "widths" must not repeat a width (got 480)',
    ]);
  });

  it('reports broken YAML and a file that is not a mapping', async () => {
    assert.deepEqual(await problemsOf('title: Notes\nmenu: [a, b\n'), [
      'quire.yaml:2: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ]);
    assert.deepEqual(await problemsOf('- title: Notes\n'), [
      'quire.yaml:1: the site file must be keys like "title: My blog", one per line',
    ]);
  });

  it('reports an alias bomb (billion laughs, #20) at its first alias, like front matter', async () => {
    const bomb = [
      'title: Laughs',
      'a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]',
      ...['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map(
        (name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(', ')}]`,
      ),
    ].join('\n');
    const [problem, ...more] = await problemsOf(`${bomb}\n`);
    assert.deepEqual(more, []);
    assert.match(problem ?? '', /^quire\.yaml:3: invalid YAML: /);
  });

  it('with problems stops loadConfig with every one of them, and reports them beside the settings without the file', async () => {
    const path = await siteFile('title: Notes\npageSize: 0\nmenuu: []\n');
    assert.throws(
      () => loadConfig({ SITE_FILE: path }, []),
      (error: unknown) => {
        assert.ok(error instanceof ContentError);
        assert.equal(
          error.message,
          `2 problems in the site file:\n${path}:2: "pageSize" must be a number of posts per page from 1 to 100 (got 0)\n${path}:3: unknown key "menuu" (did you mean "menu"?)`,
        );
        return true;
      },
    );
    const { config, siteFileProblems } = loadConfigReport({ SITE_FILE: path, PORT: '8080' }, []);
    assert.equal(siteFileProblems.length, 2);
    assert.equal(config.siteTitle, 'Quire', 'none of the file applies');
    assert.equal(config.port, 8080, 'the rest of the configuration is there');
  });

  it('keeps the pages folder apart from the posts folder', async () => {
    const path = await siteFile('pagesDir: posts/pages\n');
    assert.throws(
      () => loadConfig({ SITE_FILE: path, POSTS_DIR: join(path, '..', 'posts') }, []),
      new ConfigError(
        `PAGES_DIR must be a folder of its own, neither POSTS_DIR nor inside it (nor around it) (got "${join(path, '..', 'posts/pages')}")`,
      ),
    );
  });
});
