// Real config drives for tests: an ext4 image with a label on a loop device (this kernel has no vfat/iso9660
// driver; mount detects the type either way), plus the cleanup that unmounts and detaches it. Root only.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterEach } from 'vitest';

const cleanups: (() => void)[] = [];
afterEach(() => runCleanups());

/** Runs and forgets the registered cleanups, newest first; failures are ignored (they must not hide a result). */
export function runCleanups(): void {
  for (const cleanup of cleanups.splice(0).reverse()) {
    try {
      cleanup();
    } catch {
      // best effort
    }
  }
}

/** A program's trimmed stdout; throws on a non-zero exit. */
export const run = (file: string, args: string[]): string => execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** Real mount points (as the kernel lists them) at or under `dir`. */
export const mountsUnder = (dir: string): string[] =>
  readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((target) => target === dir || target.startsWith(`${dir}/`));

/** A temp root, unmounted and removed after the test. */
export function makeMountRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'gba-cd-'));
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  cleanups.push(() => mountsUnder(root).reverse().forEach((target) => run('umount', [target])));
  return root;
}

/** An ext4 image labelled `label` holding `files` (null: a directory instead of a file), on a loop device. */
export function makeDrive(files: Record<string, string | null>, label = 'config-2'): string {
  const work = mkdtempSync(join(tmpdir(), 'gba-img-'));
  cleanups.push(() => rmSync(work, { recursive: true, force: true }));
  mkdirSync(join(work, 'src'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(work, 'src', path)), { recursive: true });
    if (content === null) mkdirSync(join(work, 'src', path));
    else writeFileSync(join(work, 'src', path), content);
  }
  execFileSync('truncate', ['-s', '4M', join(work, 'drive.img')]);
  run('mkfs.ext4', ['-q', '-L', label, '-d', join(work, 'src'), join(work, 'drive.img')]);
  const device = run('losetup', ['-f', '--show', join(work, 'drive.img')]);
  cleanups.push(() => run('losetup', ['-d', device]));
  return device;
}

/** `<root>/dev/loopN` → the real device, and (with a label) `<root>/dev/disk/by-label/<label>` → `../../loopN`. */
export function linkDevice(root: string, device: string, label?: string): void {
  mkdirSync(join(root, 'dev/disk/by-label'), { recursive: true });
  if (!existsSync(join(root, device))) symlinkSync(device, join(root, device));
  if (label) symlinkSync(`../../${basename(device)}`, join(root, 'dev/disk/by-label', label));
}

/** Whether this machine lets us build, loop-mount and read such a drive (root, loop devices, mkfs.ext4). */
export function canLoopMount(): boolean {
  try {
    if (process.getuid?.() !== 0) return false;
    const root = makeMountRoot();
    const device = makeDrive({ probe: 'x' }, 'gba-probe');
    mkdirSync(join(root, 'm'));
    run('mount', ['-o', 'ro', device, join(root, 'm')]);
    return readFileSync(join(root, 'm/probe'), 'utf8') === 'x';
  } catch {
    return false;
  } finally {
    runCleanups();
  }
}
