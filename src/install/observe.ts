// Reads what the image already has at every path the install plan looks at (read-only).
import type { ImageEntry, ImageFsReader } from '../host/host.js';

/** path → entry for each of `paths`, read in parallel. */
export async function observeImage(fs: ImageFsReader, paths: readonly string[]): Promise<Map<string, ImageEntry>> {
  const entries = await Promise.all(paths.map(async (path) => [path, await fs.lstat(path)] as const));
  return new Map(entries);
}
