// A manifest of directory trees inside a root (type, mode, owner, inode, mtime, content hash or link target),
// and the difference between two: how the image test shows that a second run changed nothing.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';

export type Manifest = Map<string, string>;

/** Every entry under each of `dirs` (image paths), keyed by image path. The inode and mtime catch a rewrite with identical bytes. */
export function takeManifest(root: string, dirs: readonly string[]): Manifest {
  const manifest: Manifest = new Map();
  const visit = (path: string) => {
    const host = join(root, path);
    const stat = lstatSync(host);
    const common = `mode ${stat.mode.toString(8)} owner ${stat.uid}:${stat.gid} inode ${stat.ino} mtime ${stat.mtimeMs}`;
    if (stat.isSymbolicLink()) manifest.set(path, `symlink -> ${readlinkSync(host)} ${common}`);
    else if (stat.isFile()) manifest.set(path, `file sha256 ${createHash('sha256').update(readFileSync(host)).digest('hex')} ${common}`);
    else if (stat.isDirectory()) {
      manifest.set(path, `dir ${common}`);
      for (const name of readdirSync(host).sort()) visit(`${path}/${name}`);
    } else manifest.set(path, `other ${common}`);
  };
  for (const dir of dirs) if (existsSync(join(root, dir))) visit(dir);
  return manifest;
}

/** One line per path that appeared, disappeared or changed; empty when the trees are the same. */
export function diffManifests(before: Manifest, after: Manifest): string[] {
  const lines: string[] = [];
  for (const [path, was] of before) {
    const now = after.get(path);
    if (now === undefined) lines.push(`- ${path} (${was})`);
    else if (now !== was) lines.push(`~ ${path}: ${was} => ${now}`);
  }
  for (const [path, now] of after) if (!before.has(path)) lines.push(`+ ${path} (${now})`);
  return lines;
}
