/**
 * The reference of issue #17: Hugo (0.111, Debian's package) building the same generated posts
 * into a comparable site, with syntax highlighting (Chroma, inline styles). The site is written
 * into a temporary directory: the posts under content/posts/ (front matter kept, Quire's
 * `updated` renamed to Hugo's `lastmod`), and a minimal theme producing what Quire serves: a page
 * per post (dates, reading time, tags, table of contents, previous/next, related posts by shared
 * tags), the home page and tag pages paginated by 10 like PAGE_SIZE, the tag list, an archive by
 * year, RSS feeds of the 20 newest posts with full text (site and per tag), and the sitemap.
 * Hugo's section list (/posts/) is turned off: Quire has none.
 *
 * Measured: the wall time of `hugo --quiet` (a fresh destination each run).
 */
import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runToExit } from './measure.ts';

const exec = promisify(execFile);

/** `hugo version`, installing Debian's package first when it is missing (the bench needs root for that). */
export async function ensureHugo(log: (message: string) => void): Promise<string> {
  const version = async () =>
    (await exec('hugo', ['version'], { timeout: 30_000 })).stdout.trim().split('\n')[0] ?? '';
  try {
    return await version();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  log('hugo is missing: apt-get install -y hugo');
  const apt = (args: string[]) =>
    exec('apt-get', args, {
      timeout: 600_000,
      maxBuffer: 16 << 20,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  try {
    await apt(['install', '-y', '--no-install-recommends', 'hugo']);
  } catch {
    log('apt-get install failed: apt-get update, then again');
    await apt(['update']);
    await apt(['install', '-y', '--no-install-recommends', 'hugo']);
  }
  return version();
}

const CONFIG = `baseURL = "http://quire.bench/"
languageCode = "en"
title = "Quire bench"
paginate = 10
rssLimit = 20
disableKinds = ["section"]
[taxonomies]
  tag = "tags"
[outputs]
  home = ["HTML", "RSS"]
  taxonomy = ["HTML"]
  term = ["HTML", "RSS"]
[markup]
  [markup.highlight]
    codeFences = true
    noClasses = true
    style = "github"
    guessSyntax = false
  [markup.tableOfContents]
    startLevel = 2
    endLevel = 3
[related]
  includeNewer = true
  threshold = 1
  toLower = false
  [[related.indices]]
    name = "tags"
    weight = 100
`;

const LAYOUTS: Record<string, string> = {
  '_default/baseof.html': `<!doctype html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
<link rel="alternate" type="application/rss+xml" href="{{ "index.xml" | absURL }}">
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav><a href="{{ "/tags/" | relURL }}">Tags</a> <a href="{{ "/archive/" | relURL }}">Archive</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
`,
  '_default/single.html': `{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time>
{{- if ne .Lastmod.Unix .Date.Unix }} · updated {{ .Lastmod.Format "2 January 2006" }}{{ end }} · {{ .ReadingTime }} min read</p>
<ul class="tags">{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
<nav class="toc">{{ .TableOfContents }}</nav>
{{ .Content }}
</article>
<nav>{{ with .Prev }}<a rel="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }} {{ with .Next }}<a rel="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
{{ with first 3 (site.RegularPages.Related .) }}<h2>Related</h2><ul>{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
{{ end }}
`,
  '_default/list.html': `{{ define "main" }}<h1>{{ if .IsHome }}{{ site.Title }}{{ else }}{{ .Title }}{{ end }}</h1>
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = where site.RegularPages "Section" "posts" }}{{ end }}
{{ $paginator := .Paginate $pages }}
{{ range $paginator.Pages }}<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
<time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time> · {{ .ReadingTime }} min read
<p>{{ .Summary }}</p></article>
{{ end }}
<nav>{{ with $paginator.Prev }}<a rel="prev" href="{{ .URL }}">Newer</a>{{ end }} {{ with $paginator.Next }}<a rel="next" href="{{ .URL }}">Older</a>{{ end }}</nav>
{{ end }}
`,
  '_default/terms.html': `{{ define "main" }}<h1>Tags</h1>
<ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>
{{ end }}
`,
  '_default/archive.html': `{{ define "main" }}<h1>Archive</h1>
{{ range (where site.RegularPages "Section" "posts").GroupByDate "2006" }}<h2>{{ .Key }}</h2>
<ul>{{ range .Pages }}<li><time>{{ .Date.Format "2 Jan" }}</time> <a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>
{{ end }}
{{ end }}
`,
  '_default/rss.xml': `{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
{{ $pages := .Pages }}{{ if .IsHome }}{{ $pages = where site.RegularPages "Section" "posts" }}{{ end -}}
<rss version="2.0"><channel>
<title>{{ if not .IsHome }}{{ .Title }} · {{ end }}{{ site.Title }}</title>
<link>{{ .Permalink }}</link>
{{ range first 20 $pages }}<item><title>{{ .Title }}</title><link>{{ .Permalink }}</link><guid>{{ .Permalink }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
<description>{{ .Content | html }}</description></item>
{{ end }}</channel></rss>
`,
};

const ARCHIVE = `---
title: Archive
layout: archive
url: /archive/
_build:
  list: never
---
`;

/** Quire's front matter in Hugo's words: `updated` is `lastmod`; the rest reads the same. */
export function toHugoPost(text: string): string {
  const end = text.indexOf('\n---\n', 4);
  if (!text.startsWith('---\n') || end < 0) throw new Error('a post without front matter');
  const front = text.slice(0, end).replace(/^updated:/m, 'lastmod:');
  return front + text.slice(end);
}

/** Writes the Hugo site for the posts of `postsDir` into `siteDir`. Returns how many posts. */
export async function writeHugoSite(postsDir: string, siteDir: string): Promise<number> {
  await mkdir(join(siteDir, 'content', 'posts'), { recursive: true });
  await writeFile(join(siteDir, 'config.toml'), CONFIG);
  await writeFile(join(siteDir, 'content', 'archive.md'), ARCHIVE);
  for (const [path, text] of Object.entries(LAYOUTS)) {
    await mkdir(join(siteDir, 'layouts', path, '..'), { recursive: true });
    await writeFile(join(siteDir, 'layouts', path), text);
  }
  const names = (await readdir(postsDir)).filter((name) => name.endsWith('.md'));
  for (let start = 0; start < names.length; start += 100) {
    await Promise.all(
      names.slice(start, start + 100).map(async (name) => {
        const text = await readFile(join(postsDir, name), 'utf8');
        await writeFile(join(siteDir, 'content', 'posts', name), toHugoPost(text));
      }),
    );
  }
  return names.length;
}

/** Counts the files under `dir` ending in `suffix` (the pages a build wrote). */
export async function countFiles(dir: string, suffix: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile() && entry.name.endsWith(suffix)).length;
}

/** One `hugo --quiet` build of `siteDir` into a fresh `outDir`: its wall time. */
export async function buildHugo(options: {
  name: string;
  siteDir: string;
  outDir: string;
  cacheDir: string;
  logDir: string;
  timeoutMs: number;
}): Promise<number> {
  await rm(options.outDir, { recursive: true, force: true });
  const { ms } = await runToExit(
    {
      name: options.name,
      command: 'hugo',
      args: ['--quiet', '--source', options.siteDir, '--destination', options.outDir],
      cwd: options.siteDir,
      env: { PATH: process.env.PATH, HOME: options.cacheDir, HUGO_CACHEDIR: options.cacheDir },
      logDir: options.logDir,
    },
    options.timeoutMs,
  );
  return ms;
}
