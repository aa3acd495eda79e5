/**
 * Writes a synthetic blog for the benchmark and the tests that need many posts: `count` posts of prose and about
 * three fenced code blocks each, in a dozen languages, plus one long post,
 * `large-post`, whose page is about 20 KB of HTML.
 *
 * Deterministic (seeded), so every run measures the same content. No two code
 * blocks are identical: each embeds its post and block number, so nothing can
 * be deduplicated by a cache keyed on content.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const LARGE_POST_SLUG = 'large-post';
const LARGE_POST_SEED = 20;
const LARGE_POST_SECTIONS = 6;
const LARGE_POST_CODE_LINES = 8;

/** mulberry32: a tiny seeded PRNG, good enough for varied text. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)] as T;

const WORDS = (
  'cache render request latency thread worker queue index page template post ' +
  'feed proxy header cluster process signal probe deploy container image volume ' +
  'metric counter histogram budget error retry timeout socket buffer stream ' +
  'parser grammar token theme style layout draft archive slug alias tag summary ' +
  'reader writer author release version rollback schema config limit memory disk'
).split(' ');
const ADJECTIVES = (
  'quiet fast small careful honest plain cold warm steady simple strict lazy ' +
  'shared static dynamic stale fresh hidden explicit graceful'
).split(' ');
const TOPICS = (
  'caching strategies|graceful shutdown|log pipelines|readiness probes|syntax highlighting|' +
  'worker threads|container images|reverse proxies|static sites|Markdown tables|' +
  'feed readers|memory limits|cold starts|rolling updates|error budgets|request tracing|' +
  'front matter|URL design|dark mode|load testing'
).split('|');
const TITLE_FORMS = [
  (a: string, t: string) => `Notes on ${a} ${t}`,
  (a: string, t: string) => `A ${a} look at ${t}`,
  (_: string, t: string) => `What I learned about ${t}`,
  (a: string, t: string) => `${cap(t)}, the ${a} way`,
  (_: string, t: string) => `Why ${t} matter more than you think`,
  (a: string, t: string) => `Field guide: ${a} ${t}`,
];
const TAGS = (
  'operations performance kubernetes nginx node typescript writing design ' +
  'testing observability security containers caching markdown tooling release'
).split(' ');

const cap = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function sentence(rng: Rng, plain = false): string {
  const words = Array.from({ length: int(rng, 7, 16) }, () => pick(rng, WORDS));
  if (plain) return `${cap(words.join(' '))}.`;
  if (rng() < 0.25) words[int(rng, 1, words.length - 1)] = `\`${pick(rng, WORDS)}()\``;
  if (rng() < 0.15) words[int(rng, 1, words.length - 1)] = `**${pick(rng, ADJECTIVES)}**`;
  if (rng() < 0.1) words[int(rng, 1, words.length - 1)] = `[${pick(rng, WORDS)}](/posts/x)`;
  return `${cap(words.join(' '))}.`;
}

const paragraph = (rng: Rng) =>
  Array.from({ length: int(rng, 3, 6) }, () => sentence(rng)).join(' ');

/** One generator per language: a header, `n` body lines (varied by `k` and `rng`), a footer. `id` makes it unique. */
type CodeGen = (id: string, n: number, rng: Rng) => string[];
const w = (rng: Rng) => pick(rng, WORDS);
const n3 = (rng: Rng) => int(rng, 1, 999);

const CODE: Record<string, CodeGen> = {
  typescript: (id, n, rng) => [
    `// ${id}`,
    `export function handle_${id}(input: readonly string[]): Map<string, number> {`,
    '  const counts = new Map<string, number>();',
    ...Array.from(
      { length: n },
      (_, k) => `  counts.set('${w(rng)}${k}', input.length * ${n3(rng)});`,
    ),
    '  return counts;',
    '}',
  ],
  javascript: (id, n, rng) => [
    `// ${id}`,
    `async function load_${id}(client) {`,
    ...Array.from(
      { length: n },
      (_, k) => `  const ${w(rng)}${k} = await client.get('/${w(rng)}/${n3(rng)}');`,
    ),
    '  return client;',
    '}',
  ],
  python: (id, n, rng) => [
    `# ${id}`,
    `def summarize_${id}(rows: list[dict]) -> dict:`,
    '    totals = {}',
    ...Array.from(
      { length: n },
      (_, k) =>
        `    totals["${w(rng)}_${k}"] = sum(r.get("${w(rng)}", 0) for r in rows) * ${n3(rng)}`,
    ),
    '    return totals',
  ],
  go: (id, n, rng) => [
    `// ${id}`,
    `func Process_${id}(ctx context.Context, items []string) (int, error) {`,
    '\ttotal := 0',
    ...Array.from({ length: n }, (_, k) => `\ttotal += len(items) * ${n3(rng)} // ${w(rng)} ${k}`),
    '\treturn total, ctx.Err()',
    '}',
  ],
  rust: (id, n, rng) => [
    `// ${id}`,
    `pub fn score_${id}(values: &[u64]) -> u64 {`,
    '    let mut acc: u64 = 0;',
    ...Array.from(
      { length: n },
      (_, k) => `    acc = acc.wrapping_add(values.len() as u64 * ${n3(rng)}); // ${w(rng)} ${k}`,
    ),
    '    acc',
    '}',
  ],
  bash: (id, n, rng) => [
    '#!/usr/bin/env bash',
    `# ${id}`,
    'set -euo pipefail',
    ...Array.from({ length: n }, (_, k) => `echo "${w(rng)} step ${k}" && sleep 0.${n3(rng)}`),
  ],
  json: (id, n, rng) => [
    '{',
    `  "id": "${id}",`,
    ...Array.from(
      { length: n },
      (_, k) => `  "${w(rng)}_${k}": { "value": ${n3(rng)}, "enabled": ${rng() < 0.5} },`,
    ),
    '  "end": true',
    '}',
  ],
  yaml: (id, n, rng) => [
    `# ${id}`,
    `name: job-${id}`,
    'steps:',
    ...Array.from({ length: n }, (_, k) => `  - ${w(rng)}_${k}: ${n3(rng)}`),
  ],
  css: (id, n, rng) => [
    `/* ${id} */`,
    `.block-${id} {`,
    ...Array.from({ length: n }, (_, k) => `  --${w(rng)}-${k}: ${n3(rng)}px;`),
    '}',
  ],
  html: (id, n, rng) => [
    `<!-- ${id} -->`,
    `<section id="s-${id}">`,
    ...Array.from(
      { length: n },
      (_, k) => `  <p class="${w(rng)}">${w(rng)} ${k} of ${n3(rng)}</p>`,
    ),
    '</section>',
  ],
  sql: (id, n, rng) => [
    `-- ${id}`,
    `SELECT id, ${w(rng)}_name`,
    `FROM posts_${id}`,
    'WHERE published = TRUE',
    ...Array.from({ length: n }, (_, k) => `  AND ${w(rng)}_${k} > ${n3(rng)}`),
    'ORDER BY id;',
  ],
  java: (id, n, rng) => [
    `// ${id}`,
    `public final class Task_${id} {`,
    '  public static int run(int[] values) {',
    '    int sum = 0;',
    ...Array.from(
      { length: n },
      (_, k) => `    sum += values.length * ${n3(rng)}; // ${w(rng)} ${k}`,
    ),
    '    return sum;',
    '  }',
    '}',
  ],
};
const LANGUAGES = Object.keys(CODE);

/** A fenced block of `lines` lines (8 to 20 by default) in a random language. */
function codeBlock(
  rng: Rng,
  id: string,
  lines = int(rng, 8, 20),
  language = pick(rng, LANGUAGES),
): string {
  const generate = CODE[language] as CodeGen;
  const frame = generate('', 0, () => 0).length;
  const code = generate(id.replaceAll('-', '_'), Math.max(1, lines - frame), rng);
  return `\`\`\`${language}\n${code.join('\n')}\n\`\`\``;
}

const isoDay = (day: number) => new Date(Date.UTC(2023, 0, 1) + day * 86_400_000);

function post(index: number, rng: Rng): { slug: string; text: string } {
  const topic = pick(rng, TOPICS);
  const title = pick(rng, TITLE_FORMS)(pick(rng, ADJECTIVES), topic);
  const slug = `${topic.toLowerCase().replaceAll(' ', '-')}-${index}`;
  const date = isoDay(int(rng, 0, 1400));
  date.setUTCHours(int(rng, 6, 20), int(rng, 0, 59));
  const tags = [...new Set(Array.from({ length: int(rng, 1, 4) }, () => pick(rng, TAGS)))];
  const front = [
    '---',
    `title: "${title} (${index})"`,
    `date: ${date.toISOString().replace('.000Z', 'Z')}`,
    ...(rng() < 0.2
      ? [
          `updated: ${isoDay(1401 + int(rng, 0, 20))
            .toISOString()
            .slice(0, 10)}`,
        ]
      : []),
    `tags: [${tags.join(', ')}]`,
    ...(rng() < 0.5 ? [`summary: ${sentence(rng, true)}`] : []),
    '---',
  ];
  const body: string[] = [paragraph(rng)];
  const blocks = int(rng, 2, 4);
  for (let block = 1; block <= blocks; block++) {
    body.push(`## ${cap(pick(rng, WORDS))} ${pick(rng, WORDS)} ${block}`, paragraph(rng));
    body.push(codeBlock(rng, `p${index}-b${block}`), paragraph(rng));
  }
  if (rng() < 0.3) body.push(Array.from({ length: 4 }, () => `- ${sentence(rng)}`).join('\n'));
  return { slug, text: `${front.join('\n')}\n\n${body.join('\n\n')}\n` };
}

/**
 * The long post: prose with a few code blocks, sized so that its page is about
 * 20 KB of HTML (highlighted code is 15 to 30 times its source size). It has
 * its own seed and fixed languages, so its size does not depend on `count`.
 */
function largePost(): string {
  const rng = random(LARGE_POST_SEED);
  const languages = ['typescript', 'python', 'go'];
  const sections: string[] = [];
  for (let section = 1; section <= LARGE_POST_SECTIONS; section++) {
    sections.push(`## Part ${section}: ${pick(rng, TOPICS)}`, paragraph(rng), paragraph(rng));
    const language = languages[(section - 1) % languages.length] as string;
    if (section % 2 === 0)
      sections.push(codeBlock(rng, `large-b${section}`, LARGE_POST_CODE_LINES, language));
  }
  const front = [
    '---',
    'title: A large post for the benchmark',
    'date: 2026-11-01T12:00:00Z',
    'tags: [performance, testing]',
    'summary: Long prose with code, used to measure serving a page of about 20 KB.',
    '---',
  ];
  return `${front.join('\n')}\n\n${sections.join('\n\n')}\n`;
}

/** Writes `count` posts plus `large-post.md` into `dir` (created if needed). Returns every slug. */
export async function generatePosts(
  dir: string,
  count: number,
  seed = 20261123,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const rng = random(seed);
  const files = Array.from({ length: count }, (_, index) => post(index + 1, rng));
  files.push({ slug: LARGE_POST_SLUG, text: largePost() });
  for (let start = 0; start < files.length; start += 100) {
    await Promise.all(
      files
        .slice(start, start + 100)
        .map(({ slug, text }) => writeFile(join(dir, `${slug}.md`), text)),
    );
  }
  return files.map((file) => file.slug);
}
