/**
 * The Shiki-based peer of issue #17: Eleventy 3 rendering the same generated posts into pages,
 * its Markdown (markdown-it) highlighted by Shiki through Shiki's own markdown-it plugin
 * (@shikijs/markdown-it, added with Eleventy's `amendLibrary`) with Quire's two themes at once
 * (light and dark, `defaultColor: false`, as Quire renders them) and the languages the posts use.
 *
 * Both are installed with npm at bench time, at pinned versions, into a directory under
 * node_modules/.cache/ that later runs reuse (`npm ci` clears it): not devDependencies, because
 * then every `npm ci` (CI included, where the bench never runs) would fetch a second static-site
 * generator for a benchmark only.
 *
 * The site, written into a temporary directory: the posts as they are (Eleventy reads Quire's
 * front matter as it is; Markdown is not run through a template engine first, as Quire does
 * not), and Nunjucks templates producing what Quire serves: a page per post (dates, reading
 * time, tags, previous/next, related posts by shared tags), the home page and tag pages
 * paginated by 10, the tag list, the archive by year, Atom feeds of the 20 newest posts with
 * full text (site and per tag), and the sitemap. Measured: the wall time of `eleventy --quiet`
 * (a fresh output directory each run).
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runToExit } from './measure.ts';
import { THEMES } from './themes.ts';

const exec = promisify(execFile);

export const VERSIONS = { '@11ty/eleventy': '3.1.8', '@shikijs/markdown-it': '4.6.0' } as const;

async function installedVersion(dir: string, name: string): Promise<string | undefined> {
  try {
    const json = await readFile(join(dir, 'node_modules', name, 'package.json'), 'utf8');
    return (JSON.parse(json) as { version: string }).version;
  } catch {
    return undefined;
  }
}

/** The directory holding Eleventy and the Shiki plugin at VERSIONS, installed there if need be. */
export async function ensureEleventy(root: string, log: (message: string) => void) {
  const tag = Object.entries(VERSIONS)
    .map(([name, version]) => `${name.replace(/[@/]/g, '')}-${version}`)
    .join('_');
  const dir = join(root, 'node_modules', '.cache', 'quire-bench', tag);
  const installed = await Promise.all(
    Object.entries(VERSIONS).map(async ([name, version]) => {
      return (await installedVersion(dir, name)) === version;
    }),
  );
  if (installed.every(Boolean)) return dir;
  log(
    `installing ${Object.entries(VERSIONS)
      .map(([n, v]) => `${n}@${v}`)
      .join(' ')} into ${dir}`,
  );
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ private: true, dependencies: VERSIONS }, null, 2)}\n`,
  );
  await exec(
    'npm',
    ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
    {
      cwd: dir,
      timeout: 600_000,
      maxBuffer: 16 << 20,
    },
  );
  return dir;
}

const config = (langs: string[]) => `import Shiki from '@shikijs/markdown-it';

const day = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' });
const byDate = (a, b) => b.date - a.date;

export default async function (eleventyConfig) {
  const shiki = await Shiki({
    themes: { light: ${JSON.stringify(THEMES.light)}, dark: ${JSON.stringify(THEMES.dark)} },
    defaultColor: false,
    langs: ${JSON.stringify(langs)},
  });
  eleventyConfig.amendLibrary('md', (md) => md.use(shiki));

  eleventyConfig.addCollection('posts', (api) => api.getFilteredByGlob('src/posts/*.md').sort(byDate));
  const tagged = (api) => {
    const tags = new Map();
    for (const post of api.getFilteredByGlob('src/posts/*.md').sort(byDate)) {
      for (const tag of post.data.tags ?? []) tags.set(tag, [...(tags.get(tag) ?? []), post]);
    }
    return [...tags].sort(([a], [b]) => a.localeCompare(b));
  };
  eleventyConfig.addCollection('tagList', (api) =>
    tagged(api).map(([tag, posts]) => ({ tag, count: posts.length, posts: posts.slice(0, 20) })),
  );
  eleventyConfig.addCollection('tagPages', (api) =>
    tagged(api).flatMap(([tag, posts]) => {
      const pages = [];
      for (let i = 0; i < posts.length; i += 10) {
        pages.push({ tag, number: i / 10 + 1, posts: posts.slice(i, i + 10), last: i + 10 >= posts.length });
      }
      return pages;
    }),
  );
  eleventyConfig.addCollection('years', (api) => {
    const years = new Map();
    for (const post of api.getFilteredByGlob('src/posts/*.md').sort(byDate)) {
      const year = post.date.getUTCFullYear();
      years.set(year, [...(years.get(year) ?? []), post]);
    }
    return [...years].map(([year, posts]) => ({ year, posts }));
  });

  eleventyConfig.addFilter('head', (items, n) => items.slice(0, n));
  eleventyConfig.addFilter('day', (date) => day.format(date));
  eleventyConfig.addFilter('iso', (date) => date.toISOString());
  eleventyConfig.addFilter('readingTime', (html) =>
    Math.max(1, Math.round(String(html).replace(/<[^>]*>/g, ' ').split(/\\s+/).length / 220)),
  );
  eleventyConfig.addFilter('related', (posts, url, tags) =>
    posts
      .filter((post) => post.url !== url)
      .map((post) => ({ post, shared: (post.data.tags ?? []).filter((tag) => tags.includes(tag)).length }))
      .filter(({ shared }) => shared > 0)
      .sort((a, b) => b.shared - a.shared)
      .slice(0, 3)
      .map(({ post }) => post),
  );
}

export const config = {
  dir: { input: 'src', output: '_site' },
  markdownTemplateEngine: false,
  htmlTemplateEngine: 'njk',
};
`;

const TEMPLATES: Record<string, string> = {
  'posts/posts.11tydata.js': `export default {
  layout: 'post.njk',
  permalink: (data) => \`/posts/\${data.page.fileSlug}/\`,
};
`,
  '_includes/base.njk': `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% if title %}{{ title }} · {% endif %}Quire bench</title>
<link rel="canonical" href="http://quire.bench{{ page.url }}">
<link rel="alternate" type="application/atom+xml" href="/feed.xml">
</head>
<body>
<header><a href="/">Quire bench</a>
<nav><a href="/tags/">Tags</a> <a href="/archive/">Archive</a></nav></header>
<main>{{ content | safe }}</main>
</body>
</html>
`,
  '_includes/post.njk': `---
layout: base.njk
---
<article>
<h1>{{ title }}</h1>
<p><time datetime="{{ page.date | iso }}">{{ page.date | day }}</time>{% if updated %} · updated {{ updated | day }}{% endif %} · {{ content | readingTime }} min read</p>
<ul class="tags">{% for tag in tags %}<li><a href="/tags/{{ tag | slugify }}/">{{ tag }}</a></li>{% endfor %}</ul>
{{ content | safe }}
</article>
{% set previous = collections.posts | getPreviousCollectionItem(page) %}{% set next = collections.posts | getNextCollectionItem(page) %}
<nav>{% if previous %}<a rel="prev" href="{{ previous.url }}">{{ previous.data.title }}</a>{% endif %} {% if next %}<a rel="next" href="{{ next.url }}">{{ next.data.title }}</a>{% endif %}</nav>
{% set related = collections.posts | related(page.url, tags) %}{% if related.length %}<h2>Related</h2>
<ul>{% for post in related %}<li><a href="{{ post.url }}">{{ post.data.title }}</a></li>{% endfor %}</ul>{% endif %}
`,
  'index.njk': `---
pagination:
  data: collections.posts
  size: 10
  alias: posts
permalink: "{% if pagination.pageNumber > 0 %}/page/{{ pagination.pageNumber + 1 }}/{% else %}/{% endif %}"
layout: base.njk
eleventyExcludeFromCollections: true
---
<h1>Quire bench</h1>
{% for post in posts %}<article><h2><a href="{{ post.url }}">{{ post.data.title }}</a></h2>
<time datetime="{{ post.date | iso }}">{{ post.date | day }}</time>
<p>{{ post.data.summary }}</p></article>
{% endfor %}
<nav>{% if pagination.href.previous %}<a rel="prev" href="{{ pagination.href.previous }}">Newer</a>{% endif %} {% if pagination.href.next %}<a rel="next" href="{{ pagination.href.next }}">Older</a>{% endif %}</nav>
`,
  'tags.njk': `---
permalink: /tags/
layout: base.njk
title: Tags
eleventyExcludeFromCollections: true
---
<h1>Tags</h1>
<ul>{% for entry in collections.tagList %}<li><a href="/tags/{{ entry.tag | slugify }}/">{{ entry.tag }}</a> ({{ entry.count }})</li>{% endfor %}</ul>
`,
  'tag.njk': `---
pagination:
  data: collections.tagPages
  size: 1
  alias: tagPage
permalink: "/tags/{{ tagPage.tag | slugify }}/{% if tagPage.number > 1 %}page/{{ tagPage.number }}/{% endif %}"
layout: base.njk
eleventyExcludeFromCollections: true
---
<h1>{{ tagPage.tag }}</h1>
{% for post in tagPage.posts %}<article><h2><a href="{{ post.url }}">{{ post.data.title }}</a></h2>
<time datetime="{{ post.date | iso }}">{{ post.date | day }}</time>
<p>{{ post.data.summary }}</p></article>
{% endfor %}
<nav>{% if tagPage.number > 1 %}<a rel="prev" href="/tags/{{ tagPage.tag | slugify }}/{% if tagPage.number > 2 %}page/{{ tagPage.number - 1 }}/{% endif %}">Newer</a>{% endif %}
{% if not tagPage.last %}<a rel="next" href="/tags/{{ tagPage.tag | slugify }}/page/{{ tagPage.number + 1 }}/">Older</a>{% endif %}</nav>
`,
  'archive.njk': `---
permalink: /archive/
layout: base.njk
title: Archive
eleventyExcludeFromCollections: true
---
<h1>Archive</h1>
{% for year in collections.years %}<h2>{{ year.year }}</h2>
<ul>{% for post in year.posts %}<li><time>{{ post.date | day }}</time> <a href="{{ post.url }}">{{ post.data.title }}</a></li>{% endfor %}</ul>
{% endfor %}
`,
  'feed.njk': `---
permalink: /feed.xml
eleventyExcludeFromCollections: true
---
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Quire bench</title>
<link href="http://quire.bench/"/>
<id>http://quire.bench/</id>
{% for post in collections.posts | head(20) %}<entry><title>{{ post.data.title | escape }}</title>
<link href="http://quire.bench{{ post.url }}"/><id>http://quire.bench{{ post.url }}</id>
<updated>{{ post.date | iso }}</updated>
<content type="html">{{ post.templateContent | escape }}</content></entry>
{% endfor %}</feed>
`,
  'tag-feed.njk': `---
pagination:
  data: collections.tagList
  size: 1
  alias: entry
permalink: "/tags/{{ entry.tag | slugify }}/feed.xml"
eleventyExcludeFromCollections: true
---
<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title>{{ entry.tag }} · Quire bench</title>
<link href="http://quire.bench/tags/{{ entry.tag | slugify }}/"/>
<id>http://quire.bench/tags/{{ entry.tag | slugify }}/</id>
{% for post in entry.posts %}<entry><title>{{ post.data.title | escape }}</title>
<link href="http://quire.bench{{ post.url }}"/><id>http://quire.bench{{ post.url }}</id>
<updated>{{ post.date | iso }}</updated>
<content type="html">{{ post.templateContent | escape }}</content></entry>
{% endfor %}</feed>
`,
  'sitemap.njk': `---
permalink: /sitemap.xml
eleventyExcludeFromCollections: true
---
<?xml version="1.0" encoding="utf-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
{% for item in collections.all %}<url><loc>http://quire.bench{{ item.url }}</loc></url>
{% endfor %}</urlset>
`,
};

/** Writes the Eleventy site for the posts of `postsDir` into `siteDir`, using the install in `peerDir`. */
export async function writeEleventySite(options: {
  postsDir: string;
  siteDir: string;
  peerDir: string;
  langs: string[];
}): Promise<void> {
  const src = join(options.siteDir, 'src');
  await mkdir(join(src, '_includes'), { recursive: true });
  await cp(options.postsDir, join(src, 'posts'), { recursive: true });
  await writeFile(join(options.siteDir, 'package.json'), '{ "private": true, "type": "module" }\n');
  await writeFile(join(options.siteDir, 'eleventy.config.js'), config(options.langs));
  for (const [path, text] of Object.entries(TEMPLATES)) await writeFile(join(src, path), text);
  // The config's imports resolve from the site's directory.
  await symlink(join(options.peerDir, 'node_modules'), join(options.siteDir, 'node_modules'));
}

/** One `eleventy --quiet` build of `siteDir` into a fresh _site: its wall time. */
export async function buildEleventy(options: {
  name: string;
  siteDir: string;
  peerDir: string;
  logDir: string;
  timeoutMs: number;
}): Promise<number> {
  await rm(join(options.siteDir, '_site'), { recursive: true, force: true });
  const { ms } = await runToExit(
    {
      name: options.name,
      args: [join(options.peerDir, 'node_modules', '@11ty', 'eleventy', 'cmd.cjs'), '--quiet'],
      cwd: options.siteDir,
      env: { PATH: process.env.PATH, NODE_ENV: 'production' },
      logDir: options.logDir,
    },
    options.timeoutMs,
  );
  return ms;
}
