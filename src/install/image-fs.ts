// The image root as `install` sees it: files, modes and symlinks under --root, by their paths inside the image.

/** What is at a path, without following a final symlink. */
export type ImageEntry =
  | { kind: 'missing' }
  | { kind: 'file'; mode: number; content: Uint8Array }
  | { kind: 'symlink'; target: string }
  | { kind: 'dir' }
  | { kind: 'other' };

/** Read-only access: what observation may use. */
export interface ImageFsReader {
  /** The absolute host path of the image root (what `systemctl --root` must be given). */
  readonly root: string;
  /** The entry at `path` (a regular file's content and permission bits included). */
  lstat(path: string): Promise<ImageEntry>;
}

/**
 * Paths are absolute paths inside the image ("/usr/bin/guest-boot-agent"). Symlinks met on the way
 * resolve inside the image, as under chroot; nothing reaches outside the root. Failures reject
 * HostError with the errno.
 */
export interface ImageFs extends ImageFsReader {
  /** Replaces `path` atomically (temp file + fsync + rename) with `data` and exactly `mode`; creates parents 0755. */
  write(path: string, data: Uint8Array, mode: number): Promise<void>;
  /** Sets the permission bits of a regular file. */
  chmod(path: string, mode: number): Promise<void>;
  /** Creates `path` as a symlink to `target` (EEXIST if anything is there); creates parents 0755. */
  symlink(target: string, path: string): Promise<void>;
}
