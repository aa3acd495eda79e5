/**
 * The loader's files beside the posts (issue #18): which files exist under the posts folder
 * (what references may name), and the media manifest of those a post shows or links to. Each
 * of those is trusted from the site index while its size and modification time agree, else read
 * and hashed; an image whose content is new goes through the image job (render/pool.ts), whose
 * result the index keeps, so a start whose images did not change runs none. The posts' social
 * cards (cards/cards.ts) go into the same folder of the render cache, drawn on their first request
 * (cards/card-store.ts): a load makes none.
 */
import { join } from 'node:path';
import type { IndexEntry, MediaEntry } from '../cache/site-index.ts';
import { type CardStore, createCardStore } from '../cards/card-store.ts';
import { type CardSettings, postCard } from '../cards/cards.ts';
import { resolveFile } from '../markdown/file-references.ts';
import { mediaDir, presentKeys, pruneVariants } from '../media/media-cache.ts';
import {
  type ManifestOptions,
  type MediaManifest,
  mediaManifest,
} from '../media/media-manifest.ts';
import { mediaKey, VARIANT_SOURCES } from '../media/variants.ts';
import type { ImageJob, ImageResult } from '../render/pool.ts';
import { readStamp } from './file-state.ts';

export class MediaFiles {
  /** Every file under the posts folder but the posts, relative to it, `/` between folders. */
  readonly paths = new Set<string>();
  readonly #options: ManifestOptions;
  readonly #entries = new Map<string, MediaEntry>();
  #manifest: MediaManifest | undefined;
  /** Set when the posts get social cards (issue #18). */
  #cardSettings: CardSettings | undefined;
  /** The post versions whose cards are served (and kept by `prune`). */
  #cardPosts: readonly IndexEntry[] = [];
  readonly #cardStore: CardStore;

  constructor(options: ManifestOptions) {
    this.#options = options;
    this.#cardStore = createCardStore(mediaDir(options.cacheDir));
  }

  /**
   * Brings the manifest in line with the files `posts` show or link to: reads the files it lacks
   * and the `changed` ones (`known`: index entries, trusted while size and mtime agree) and drops
   * the others. Returns, by path, the image jobs that must run: for an image not read yet, and
   * (`encode`) for one whose variants are not in the render cache. The cards of `posts` are served.
   */
  async sync(
    posts: Iterable<IndexEntry>,
    options: {
      known?: ReadonlyMap<string, MediaEntry>;
      changed?: ReadonlySet<string>;
      encode: boolean;
    },
  ): Promise<Map<string, ImageJob>> {
    const { postsDir, cacheDir, maxImageBytes, widths } = this.#options;
    const versions = [...posts];
    /** Path → whether a post shows it as an image (else it only links to it). */
    const shown = new Map<string, boolean>();
    for (const post of versions) {
      for (const { target, image } of post.files) {
        const path = resolveFile(post.path, target);
        if (path !== undefined && this.paths.has(path))
          shown.set(path, image || (shown.get(path) ?? false));
      }
    }
    const cover = this.#options.defaultCover?.path;
    if (cover !== undefined && this.paths.has(cover)) shown.set(cover, true);
    for (const path of this.#entries.keys()) if (!shown.has(path)) this.#entries.delete(path);
    for (const path of shown.keys()) {
      if (this.#entries.has(path) && !options.changed?.has(path)) continue;
      const before = this.#entries.get(path) ?? options.known?.get(path);
      const read = await readStamp(join(postsDir, path), before?.source);
      if (!read) this.#entries.delete(path);
      else if (read.stamp === before?.source)
        this.#entries.set(path, before); // unchanged: the same entry, so the index is not rewritten
      else if (before?.source.hash === read.stamp.hash)
        this.#entries.set(path, { ...before, source: read.stamp });
      else this.#entries.set(path, { path, source: read.stamp, variants: [] });
    }
    this.#manifest = undefined;

    const dir = mediaDir(cacheDir);
    const images = [...shown.values()].some((image) => image);
    const present = options.encode && images ? await presentKeys(dir) : undefined;
    const jobs = new Map<string, ImageJob>();
    for (const [path, image] of shown) {
      const entry = this.#entries.get(path);
      if (!image || !entry) continue;
      const key = mediaKey(entry.source.hash, widths);
      const small = entry.source.size <= maxImageBytes;
      const info = entry.image;
      const encodable = info !== undefined && VARIANT_SOURCES.has(info.format) && !info.problem;
      // The cache lost them, or they were made with other options (another key).
      const missing = present !== undefined && !present.has(key);
      if (missing && entry.variants.length > 0) this.#entries.set(path, { ...entry, variants: [] });
      const unencoded = encodable && small && missing;
      if (info !== undefined && !unencoded) continue;
      const mode = !small ? 'metadata' : options.encode ? 'encode' : 'check';
      const file = join(postsDir, path);
      jobs.set(path, { kind: 'image', file, key, mediaDir: dir, mode, widths });
    }
    this.showCards(versions);
    return jobs;
  }

  /** Serves the cards of `posts` (a cluster worker: the index's posts). */
  showCards(posts: readonly IndexEntry[]): void {
    this.#cardPosts = posts;
    this.#manifest = undefined;
  }

  /** The posts get social cards with these settings; none when undefined. */
  useCards(settings: CardSettings | undefined): void {
    this.#cardSettings = settings;
    this.#manifest = undefined;
  }

  /** Takes an image job's result into the manifest. */
  settle(path: string, { image, variants }: ImageResult): void {
    const entry = this.#entries.get(path);
    if (!entry) return;
    this.#entries.set(path, { ...entry, image, variants });
    this.#manifest = undefined;
  }

  entries(): MediaEntry[] {
    return [...this.#entries.values()];
  }

  /** Takes the index's entries as they are (a cluster worker: its primary has just synced). */
  open(entries: readonly MediaEntry[]): void {
    this.#entries.clear();
    for (const entry of entries) this.#entries.set(entry.path, entry);
    this.#manifest = undefined;
  }

  manifest(): MediaManifest {
    const settings = this.#cardSettings;
    const posts = this.#cardPosts;
    const cards = settings && { settings, posts: () => posts, store: this.#cardStore };
    this.#manifest ??= mediaManifest(this.#entries.values(), this.#options, cards);
    return this.#manifest;
  }

  /** Deletes the variants no file of the manifest has, and the cards no post shows. */
  async prune(): Promise<void> {
    const dir = mediaDir(this.#options.cacheDir);
    const keep = new Set(
      [...this.#entries.values()].map((entry) => mediaKey(entry.source.hash, this.#options.widths)),
    );
    // Only a folder no image has can be a card: without one, no post's card key is worked out.
    if ([...(await presentKeys(dir))].every((key) => keep.has(key))) return;
    const settings = this.#cardSettings;
    for (const post of settings ? this.#cardPosts : []) {
      const card = postCard(post.frontMatter, settings as CardSettings);
      if (card) keep.add(card.key);
    }
    await pruneVariants(dir, keep);
  }
}
