// ImageFs over a real directory tree: every path resolves inside the root, symlinks included (chroot semantics).
import { promises as nodeFs } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import type { ImageEntry, ImageFs } from './host.js';
import { HostError } from './host.js';
import { toHostError, underRoot } from './paths.js';
import { replaceFile } from './replace-file.js';

/** The subset of fs.promises used here; memfs's `vol.promises` provides it too (tests). */
export type FsPromises = Pick<typeof nodeFs, 'lstat' | 'readFile' | 'readlink' | 'mkdir' | 'open' | 'rename' | 'rm' | 'chmod' | 'symlink'>;

/** Linux's limit on symlinks followed while resolving one path. */
const MAX_LINKS = 40;

/** The image rooted at `root` (made absolute); `fs` is node's unless a test passes memfs. */
export function createImageFs(root: string, fs: FsPromises = nodeFs): ImageFs {
  const top = resolve(root);
  const parentOf = (path: string, create: boolean) => resolveDir(fs, top, posix.dirname(path), create);
  const at = async (path: string, create: boolean) => join(await parentOf(checked(path), create), posix.basename(path));
  return {
    root: top,
    async lstat(path) {
      try {
        return await entryAt(fs, await at(path, false));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as HostError).code === 'ENOENT') return { kind: 'missing' };
        throw toHostError('lstat', path, error);
      }
    },
    async write(path, data, mode) {
      const target = await at(path, true).catch((error: unknown) => Promise.reject(toHostError('write', path, error)));
      await replaceFile(fs, target, data, mode).catch((error: unknown) => Promise.reject(toHostError('write', path, error)));
    },
    async chmod(path, mode) {
      const target = await at(path, false).catch((error: unknown) => Promise.reject(toHostError('chmod', path, error)));
      // lstat first: chmod follows symlinks, and a link could point outside the image.
      if ((await entryAt(fs, target).catch(() => undefined))?.kind !== 'file') throw new HostError('chmod', path, 'EINVAL', 'not a regular file');
      await fs.chmod(target, mode).catch((error: unknown) => Promise.reject(toHostError('chmod', path, error)));
    },
    async symlink(linkTarget, path) {
      const target = await at(path, true).catch((error: unknown) => Promise.reject(toHostError('symlink', path, error)));
      // symlink(2) is atomic and never replaces: EEXIST if anything is there (the plan only links where nothing is).
      await fs.symlink(linkTarget, target).catch((error: unknown) => Promise.reject(toHostError('symlink', path, error)));
    },
  };
}

/** Rejects relative paths, `.`/`..` segments and trailing slashes ("/" itself names the root). */
function checked(path: string): string {
  underRoot('/', path);
  if (path !== '/' && path.endsWith('/')) throw new HostError('resolve', path, 'EINVAL', 'an image path must not end in /');
  return path;
}

async function entryAt(fs: FsPromises, hostPath: string): Promise<ImageEntry> {
  const stat = await fs.lstat(hostPath);
  if (stat.isSymbolicLink()) return { kind: 'symlink', target: String(await fs.readlink(hostPath)) };
  if (stat.isDirectory()) return { kind: 'dir' };
  if (!stat.isFile()) return { kind: 'other' };
  return { kind: 'file', mode: Number(stat.mode) & 0o7777, content: new Uint8Array(await fs.readFile(hostPath)) };
}

/**
 * The host path of directory `dir` inside `top`, resolving each component as the kernel would under
 * chroot(top): absolute link targets restart at `top`, `..` never climbs above it. With `create`,
 * missing directories are made (0755); otherwise a missing one rejects ENOENT.
 */
async function resolveDir(fs: FsPromises, top: string, dir: string, create: boolean): Promise<string> {
  const pending = dir.split('/').filter(Boolean);
  let current = top;
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      if (current !== top) current = posix.dirname(current);
      continue;
    }
    const next = join(current, part);
    const stat = await fs.lstat(next).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' && create) return undefined;
      throw error;
    });
    if (stat === undefined) {
      await fs.mkdir(next, { mode: 0o755 });
      current = next;
    } else if (stat.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new HostError('resolve', dir, 'ELOOP');
      const target = String(await fs.readlink(next));
      pending.unshift(...target.split('/').filter(Boolean));
      if (target.startsWith('/')) current = top;
    } else if (stat.isDirectory()) {
      current = next;
    } else {
      throw new HostError('resolve', dir, 'ENOTDIR', `${part} is not a directory`);
    }
  }
  return current;
}
