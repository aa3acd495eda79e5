/**
 * Image variants in the render cache (issue #18): one folder per image key under `media/`, with
 * `<width>.avif` and `<width>.webp`. A folder is written under a temporary name and renamed into
 * place, so a reader (a serving process, the next start) never sees half of one. Pruned like
 * bodies (cache/body-store.ts): what no post shows any more goes.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { VariantFormat } from './variants.ts';

/** The variants' folder in the render cache. */
export const mediaDir = (cacheDir: string) => join(cacheDir, 'media');

/** A variant's file name in its key's folder. */
export const variantName = (width: number, format: VariantFormat) => `${width}.${format}`;

/** A variant's file, relative to the media folder. */
export const variantFile = (key: string, width: number, format: VariantFormat) =>
  `${key}/${variantName(width, format)}`;

const KEY = /^[0-9a-f]{64}$/;

/** The keys whose variants are in the cache. */
export async function presentKeys(dir: string): Promise<Set<string>> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return new Set(names.filter((name) => KEY.test(name)));
}

/** Writes one image's variants (file name → bytes) at once; another writer's copy is as good. */
export async function writeVariants(
  dir: string,
  key: string,
  files: ReadonlyMap<string, Buffer>,
): Promise<void> {
  const temporary = join(dir, `${key}.${randomBytes(6).toString('hex')}.tmp`);
  await mkdir(temporary, { recursive: true });
  try {
    for (const [name, bytes] of files) await writeFile(join(temporary, name), bytes);
    await rename(temporary, join(dir, key)).catch(async (error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/** Deletes the variants of every key not in `keep`. */
export async function pruneVariants(dir: string, keep: ReadonlySet<string>): Promise<void> {
  const stale = [...(await presentKeys(dir))].filter((key) => !keep.has(key));
  await Promise.all(stale.map((key) => rm(join(dir, key), { recursive: true, force: true })));
}
