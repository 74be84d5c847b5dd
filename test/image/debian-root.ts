// Pristine Debian roots (one per release of the image test matrix) made by debootstrap once, cached as
// tarballs outside the repo, extracted per test file.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTree } from './mounts.js';
import { mustRun, run } from './process.js';

export const VARIANT = 'minbase';

/** One row of the image test matrix: a Debian release and what its own nodejs is. */
export interface DebianRelease {
  suite: 'bullseye' | 'bookworm' | 'trixie';
  version: number;
  /** The major version of the release's own nodejs package. */
  nodeMajor: number;
}

export const RELEASES = {
  /** Node 12: too old; the element needs a pinned official Node here. */
  bullseye: { suite: 'bullseye', version: 11, nodeMajor: 12 },
  /** Node 18.20: the floor. */
  bookworm: { suite: 'bookworm', version: 12, nodeMajor: 18 },
  /** Node 20. */
  trixie: { suite: 'trixie', version: 13, nodeMajor: 20 },
} as const satisfies Record<string, DebianRelease>;

/**
 * What every root is made of. nodejs is Debian's own: the image test is what proves the Node 18 floor (and,
 * on bullseye, that its Node 12 is refused). It is also everything the elements' package-installs.yaml
 * files ask for on Debian (the test checks that): DIB's package-installs element, which would install them,
 * is not part of this test.
 */
export const PACKAGES = ['iproute2', 'nodejs', 'systemd', 'udev'];
export const MIRROR = process.env.GBA_DEBIAN_MIRROR || 'http://deb.debian.org/debian';
export const DEFAULT_CACHE = '/var/cache/guest-boot-agent-ci';
const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
/** Bump when the steps below change what ends up in the tarball. */
const RECIPE = 1;
const DEBOOTSTRAP_TIMEOUT_MS = 25 * 60_000;

export interface PristineRoot {
  tarball: string;
  /** false: found in the cache. */
  built: boolean;
  seconds: number;
}

/** The cache directory: $GBA_IMAGE_CACHE, else /var/cache/guest-boot-agent-ci (outside any clone, so clones share it). */
export function cacheDir(): string {
  return process.env.GBA_IMAGE_CACHE || DEFAULT_CACHE;
}

/** Whether zstd can (de)compress here; gzip, which tar always has, stands in otherwise. */
export async function compression(): Promise<{ flag: string; ext: string }> {
  const zstd = await run('zstd', ['--version']).catch(() => undefined);
  return zstd?.code === 0 ? { flag: '--zstd', ext: 'zst' } : { flag: '--gzip', ext: 'gz' };
}

/** Cache file name: suite, architecture and a hash of everything that shapes the root, so any change rebuilds. */
export function cacheName(suite: string, arch: string, ext: string): string {
  const key = createHash('sha256')
    .update(JSON.stringify({ recipe: RECIPE, suite, variant: VARIANT, arch, packages: [...PACKAGES].sort() }))
    .digest('hex')
    .slice(0, 16);
  return `debian-${suite}-${VARIANT}-${arch}-${key}.tar.${ext}`;
}

/** The cached tarball of the release's pristine root; debootstraps and caches it first when it is not there. */
export async function ensurePristineRoot(release: DebianRelease, log: (line: string) => void): Promise<PristineRoot> {
  const suite = release.suite;
  const started = Date.now();
  const dir = cacheDir();
  const arch = (await mustRun('dpkg', ['--print-architecture'])).stdout.trim();
  const { flag, ext } = await compression();
  const tarball = join(dir, cacheName(suite, arch, ext));
  if (existsSync(tarball)) return { tarball, built: false, seconds: (Date.now() - started) / 1000 };

  mkdirSync(dir, { recursive: true });
  await removeStaleBuilds(dir);
  log(`image cache: ${tarball} missing; debootstrap ${suite} (${VARIANT}, ${PACKAGES.join(' ')}) from ${MIRROR}`);
  // Built beside its final place and renamed there only when complete: a killed build never looks cached.
  const work = mkdtempSync(join(dir, `.build-${process.pid}-`));
  try {
    const root = join(work, 'root');
    if (!existsSync(KEYRING)) throw new Error(`${KEYRING} is missing (Debian's debian-archive-keyring package): refusing to debootstrap without checking signatures`);
    await mustRun('debootstrap', [`--variant=${VARIANT}`, `--include=${PACKAGES.join(',')}`, `--keyring=${KEYRING}`, suite, root, MIRROR], { timeoutMs: DEBOOTSTRAP_TIMEOUT_MS });
    // apt-get clean and no package lists: 110 MB nobody here reads.
    for (const sub of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
      for (const name of readdirSync(join(root, sub))) if (name !== 'partial' && name !== 'lock') rmSync(join(root, sub, name), { recursive: true });
    }
    const versions = (await mustRun('chroot', [root, 'dpkg-query', '-W', '-f', '${Package}\\t${Version}\\n', ...PACKAGES])).stdout.trim();
    await mustRun('tar', ['--create', flag, '--file', join(work, 'root.tar'), '--numeric-owner', '--xattrs', '--xattrs-include=*', '-C', root, '.'], { timeoutMs: 600_000 });
    renameSync(join(work, 'root.tar'), tarball);
    writeFileSync(`${tarball}.txt`, `${suite} ${VARIANT} ${arch}, debootstrapped ${new Date().toISOString()} from ${MIRROR}\n${versions}\n`);
  } finally {
    await removeTree(work);
  }
  removeOtherVersions(dir, suite, tarball, log);
  return { tarball, built: true, seconds: (Date.now() - started) / 1000 };
}

/** A fresh copy of the pristine root in `dest` (owners, modes and file capabilities as debootstrap left them). */
export async function extractRoot(tarball: string, dest: string): Promise<void> {
  const flag = tarball.endsWith('.zst') ? '--zstd' : '--gzip';
  const args = ['--extract', flag, '--file', tarball, '--numeric-owner', '--same-permissions', '--xattrs', '--xattrs-include=*', '-C', dest];
  await mustRun('tar', args, { timeoutMs: 600_000 }).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}\n(a damaged cache? delete ${tarball} and it is built again)`, { cause: error });
  });
}

/** Build directories left by a killed run (their pid is gone); a live concurrent build is left alone. */
async function removeStaleBuilds(dir: string): Promise<void> {
  for (const name of readdirSync(dir)) {
    const pid = /^\.build-(\d+)-/.exec(name)?.[1];
    if (pid && !isAlive(Number(pid))) await removeTree(join(dir, name));
  }
}

/** Tarballs of an older package list or recipe: the cache holds one root per suite and architecture. */
function removeOtherVersions(dir: string, suite: string, keep: string, log: (line: string) => void): void {
  const prefix = `debian-${suite}-${VARIANT}-`;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (!name.startsWith(prefix) || path === keep || path === `${keep}.txt`) continue;
    log(`image cache: removing the outdated ${path}`);
    rmSync(path, { force: true });
  }
}

/** Whether a process exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
