// The seam between the agent and the operating system: every read, write,
// process and network call goes through these interfaces. Production composes
// them in node-host.ts; tests use the simulated kernel (test/sim).
//
// Paths are always kernel paths ("/sys/bus/ccwgroup/...", "/proc/cmdline",
// "/run/guest-boot-agent/qeth.json"); the --root prefix is applied inside the
// implementation, never by callers.

import type { Clock } from '../lib/clock.js';

// Clock is defined with the pure helpers that take it (lib/retry, plan/wait), so lib/ never imports host/.
export type { Clock };

/** Why a host operation failed, keeping the kernel's errno so callers can decide on it. */
export class HostError extends Error {
  /** errno name (EINVAL, EBUSY, ENOENT, …) or an exec/http failure code (ETIMEDOUT, EEXIT). */
  readonly code: string;
  readonly op: string;
  readonly path: string | undefined;

  constructor(op: string, path: string | undefined, code: string, detail?: string, options?: { cause?: unknown }) {
    super(`${op} ${path ?? ''}: ${code}${detail ? ` (${detail})` : ''}`.replace('  ', ' '), options);
    this.name = 'HostError';
    this.op = op;
    this.path = path;
    this.code = code;
  }
}

/** True when `error` is a HostError carrying one of the given errno names. */
export function hasCode(error: unknown, ...codes: string[]): error is HostError {
  return error instanceof HostError && codes.includes(error.code);
}


/** Kernel attribute files under /sys and /proc. */
export interface SysfsReader {
  /** Contents with the trailing newline removed. Rejects with HostError{code: errno}. */
  read(path: string): Promise<string>;
  /** The link target as stored (usually relative). */
  readlink(path: string): Promise<string>;
  /** Entry names of a directory, sorted. */
  list(path: string): Promise<string[]>;
  exists(path: string): Promise<boolean>;
}

export interface SysfsWriter extends SysfsReader {
  /** One write(2) of `value` at offset 0, as `echo` would (no newline added). */
  write(path: string, value: string): Promise<void>;
}

/** Ordinary files (state, cache, /proc/cmdline). */
export interface FilesReader {
  /** The file's text, or undefined when it does not exist. Other errors reject. */
  read(path: string): Promise<string | undefined>;
}

export interface FilesWriter extends FilesReader {
  /** Write via temp file + fsync + rename, creating parent directories. */
  writeAtomic(path: string, data: string | Uint8Array, mode?: number): Promise<void>;
  /** Creates a fresh private directory (mode 0700) named `<prefix>XXXXXX` in `parent` (created as needed); returns its kernel path. */
  makeTempDir(parent: string, prefix: string): Promise<string>;
  /** Removes an empty directory; never recursive, so a directory something is still mounted on is never emptied. */
  removeDir(path: string): Promise<void>;
  /** Where kernel path `path` really is (the --root prefix applied): what programs started by exec must be given. */
  hostPath(path: string): string;
}

/** Files the operator names on the command line (`--vendor-data`): real paths, relative to the working directory
 * and never under --root; `-` is stdin. */
export interface OperatorInput {
  /** The whole content. Rejects HostError with the errno (ENOENT, EACCES, EISDIR…) or EFBIG past maxBytes. */
  read(path: string, maxBytes: number): Promise<Uint8Array>;
}

export interface ExecOptions {
  timeoutMs: number;
}

/** A program that ran to completion (any exit code). */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

export interface HttpGetOptions {
  signal: AbortSignal;
  /** The body is cut off, and the request fails with code EFBIG, past this many bytes. */
  maxBytes: number;
}

/** What observation may use: nothing in here can change the machine. */
export interface HostReader {
  sysfs: SysfsReader;
  files: FilesReader;
  clock: Clock;
}

export interface Host extends HostReader {
  sysfs: SysfsWriter;
  files: FilesWriter;
  /**
   * Run `file` with an argument array, never through a shell. Resolves for any
   * exit code; rejects with HostError code ENOENT (not found) or ETIMEDOUT.
   */
  exec(file: string, args: readonly string[], options: ExecOptions): Promise<ExecResult>;
  /** One GET; redirects are returned, never followed (the caller decides). IPv6 zone ids (`[fe80::1%25eth0]`) work. */
  http: { get(url: string, options: HttpGetOptions): Promise<HttpResponse> };
  /** Files and stdin named on the command line. */
  input: OperatorInput;
}

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
