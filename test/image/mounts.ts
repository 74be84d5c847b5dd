// Mounts for a chroot, found again from /proc/self/mountinfo, and a removal that never crosses into them.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { mustRun, run } from './process.js';

/** Mount points at or below `dir`, deepest first (mountinfo is the truth, not our bookkeeping). */
export function mountsUnder(dir: string): string[] {
  const real = realpathSync(dir);
  const unescape = (text: string) => text.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => unescape(line.split(' ')[4] ?? ''))
    .filter((point) => point === real || point.startsWith(`${real}/`))
    .sort((a, b) => b.length - a.length);
}

/** disk-image-create's mount_proc_dev_sys: proc, the host's /dev and /dev/pts bound, sysfs. */
export async function mountKernelFilesystems(root: string): Promise<void> {
  await mustRun('mount', ['-t', 'proc', 'none', join(root, 'proc')]);
  await mustRun('mount', ['--bind', '/dev', join(root, 'dev')]);
  await mustRun('mount', ['--bind', '/dev/pts', join(root, 'dev/pts')]);
  await mustRun('mount', ['-t', 'sysfs', 'none', join(root, 'sys')]);
}

/**
 * A cgroup2 hierarchy on the chroot's /sys/fs/cgroup, for `systemd-analyze verify`: systemd 247 (Debian 11)
 * refuses to start its manager without one ("Cannot determine cgroup we are running in"); 252 does not care.
 * Not part of DIB's mounts: only the verify tests use it, and unmount it after.
 */
export async function mountCgroup2(root: string): Promise<void> {
  await mustRun('mount', ['-t', 'cgroup2', 'gba-cgroup2', join(root, 'sys/fs/cgroup')]);
}

/** Read-only bind mount of a host directory, as DIB mounts the hooks at /tmp/in_target.d. */
export async function bindReadOnly(source: string, target: string): Promise<void> {
  await mustRun('mount', ['--bind', source, target]);
  await mustRun('mount', ['-o', 'remount,bind,ro', target]);
}

/** Unmounts one mount point; lazily when it is busy. */
export async function unmount(point: string): Promise<void> {
  if ((await run('umount', [point])).code === 0) return;
  await mustRun('umount', ['-l', point]);
}

/** Unmounts everything at or below `dir` (DIB's unmount_dir), and fails if anything is left. */
export async function unmountAll(dir: string): Promise<void> {
  for (const point of mountsUnder(dir)) await unmount(point);
  const left = mountsUnder(dir);
  if (left.length > 0) throw new Error(`still mounted under ${dir}: ${left.join(', ')}`);
}

/**
 * Removes a chroot tree: unmounts first, and rm's --one-file-system keeps it from ever descending into a
 * mount (a bound /dev!) that appeared in between.
 */
export async function removeTree(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  await unmountAll(dir);
  await mustRun('rm', ['-rf', '--one-file-system', '--', dir], { timeoutMs: 300_000 });
}
