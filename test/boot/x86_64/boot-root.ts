// The Debian 12 x86_64 root a boot needs: the image test's pristine debootstrap root, plus a kernel, systemd as
// init, cloud-init and a DHCP client, installed with the root's own apt. Cached as a tarball beside the image
// test's, with the kernel and initramfs taken out of it for QEMU's -kernel/-initrd.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, compression, ensurePristineRoot, extractRoot, isAlive, MIRROR, RELEASES } from '../../image/debian-root.js';
import { mountKernelFilesystems, removeTree, unmountAll } from '../../image/mounts.js';
import { hostEnv, mustRun, SYSTEM_PATH } from '../../image/process.js';

/**
 * Added to the image test's root (which already has iproute2, nodejs, systemd, udev). systemd-sysv makes
 * systemd /sbin/init; ifupdown + isc-dhcp-client is what cloud-init's fallback network config renders to on
 * Debian 12 (and what its ephemeral DHCP in init-local runs); dbus lets cloud-init's hostnamectl work.
 */
export const BOOT_PACKAGES = ['linux-image-amd64', 'systemd-sysv', 'cloud-init', 'ifupdown', 'isc-dhcp-client', 'dbus'];
/** Bump when the steps below change what ends up in the tarball. */
const RECIPE = 2;
const PREFIX = 'boot-x86_64-root-';
const APT_TIMEOUT_MS = 45 * 60_000;
/**
 * The initramfs holds just what mounts the root disk under QEMU (virtio-blk, ext4): MODULES=most copies
 * every storage and network driver, and under load making it twice (the kernel, then the trigger) took
 * longer than everything else together.
 */
const INITRAMFS_CONF = 'MODULES=list\nCOMPRESS=gzip\n';
const INITRAMFS_MODULES = ['virtio_pci', 'virtio_blk', 'ext4', 'crc32c_generic'];

export interface BootRoot {
  tarball: string;
  kernel: string;
  initrd: string;
  /** Package versions, one "name\tversion" a line. */
  versions: string;
  built: boolean;
  seconds: number;
}

/** The cached boot root with its kernel and initramfs; built (and cached) first when missing. */
export async function ensureBootRoot(log: (line: string) => void): Promise<BootRoot> {
  const started = Date.now();
  const pristine = await ensurePristineRoot(RELEASES.bookworm, log);
  const dir = cacheDir();
  const { flag, ext } = await compression();
  const key = createHash('sha256')
    .update(JSON.stringify({ recipe: RECIPE, pristine: pristine.tarball, packages: BOOT_PACKAGES, initramfs: [INITRAMFS_CONF, INITRAMFS_MODULES] }))
    .digest('hex')
    .slice(0, 16);
  const base = join(dir, `${PREFIX}${key}`);
  const tarball = `${base}.tar.${ext}`;
  const kernel = `${base}.vmlinuz`;
  const initrd = `${base}.initrd.img`;
  const done = () => ({ tarball, kernel, initrd, versions: readText(`${base}.txt`) });
  if ([tarball, kernel, initrd].every((path) => existsSync(path))) return { ...done(), built: false, seconds: (Date.now() - started) / 1000 };

  for (const name of readdirSync(dir)) {
    const pid = /^\.boot-build-(\d+)-/.exec(name)?.[1];
    if (pid && !isAlive(Number(pid))) await removeTree(join(dir, name));
  }
  log(`boot cache: ${tarball} missing; installing ${BOOT_PACKAGES.join(' ')} from ${MIRROR} into a copy of ${pristine.tarball}`);
  const work = mkdtempSync(join(dir, `.boot-build-${process.pid}-`));
  try {
    const root = join(work, 'root');
    mkdirSync(root);
    await extractRoot(pristine.tarball, root);
    await mountKernelFilesystems(root);
    const inRoot = (args: string[], timeoutMs = APT_TIMEOUT_MS) =>
      mustRun('chroot', [root, ...args], { env: hostEnv({ PATH: SYSTEM_PATH, HOME: '/root', DEBIAN_FRONTEND: 'noninteractive' }), timeoutMs });
    // Name resolution for apt, and no daemon started inside the build (policy-rc.d 101 = "not allowed").
    copyFileSync('/etc/resolv.conf', join(root, 'etc/resolv.conf'));
    writeFileSync(join(root, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
    writeFileSync(join(root, 'etc/apt/sources.list'), `deb ${MIRROR} bookworm main\n`);
    mkdirSync(join(root, 'etc/initramfs-tools/conf.d'), { recursive: true });
    // mkinitramfs reads module lists from /etc/initramfs-tools/modules and /usr/share/initramfs-tools/modules.d.
    mkdirSync(join(root, 'usr/share/initramfs-tools/modules.d'), { recursive: true });
    writeFileSync(join(root, 'etc/initramfs-tools/conf.d/gba-boot-test.conf'), INITRAMFS_CONF);
    writeFileSync(join(root, 'usr/share/initramfs-tools/modules.d/gba-boot-test.conf'), `${INITRAMFS_MODULES.join('\n')}\n`);
    await inRoot(['apt-get', 'update', '-qq']);
    await inRoot(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...BOOT_PACKAGES]);
    await inRoot(['apt-get', 'clean']);
    const versions = (await inRoot(['dpkg-query', '-W', '-f', '${Package}\\t${Version}\\n', ...BOOT_PACKAGES, 'nodejs', 'systemd', 'udev'])).stdout.trim();
    await unmountAll(root);
    rmSync(join(root, 'usr/sbin/policy-rc.d'));
    writeFileSync(join(root, 'etc/resolv.conf'), '');
    for (const name of readdirSync(join(root, 'var/lib/apt/lists'))) if (name !== 'partial' && name !== 'lock') rmSync(join(root, 'var/lib/apt/lists', name), { recursive: true });
    // The kernel and initramfs as update-initramfs left them in /boot (one kernel: the newest wins anyway).
    const newest = (prefix: string) => readdirSync(join(root, 'boot')).filter((name) => name.startsWith(prefix)).sort().at(-1);
    const vmlinuz = newest('vmlinuz-');
    const initramfs = newest('initrd.img-');
    if (!vmlinuz || !initramfs) throw new Error(`no kernel or initramfs in ${root}/boot after installing linux-image-amd64`);
    await mustRun('tar', ['--create', flag, '--file', join(work, 'root.tar'), '--numeric-owner', '--xattrs', '--xattrs-include=*', '-C', root, '.'], { timeoutMs: 600_000 });
    copyFileSync(join(root, 'boot', vmlinuz), join(work, 'vmlinuz'));
    copyFileSync(join(root, 'boot', initramfs), join(work, 'initrd.img'));
    writeFileSync(`${base}.txt`, `${vmlinuz} ${initramfs}, built ${new Date().toISOString()} from ${pristine.tarball} and ${MIRROR}\n${versions}\n`);
    // The tarball last: its presence is what says "cached".
    renameSync(join(work, 'vmlinuz'), kernel);
    renameSync(join(work, 'initrd.img'), initrd);
    renameSync(join(work, 'root.tar'), tarball);
  } finally {
    await removeTree(work);
  }
  for (const name of readdirSync(dir)) {
    if (name.startsWith(PREFIX) && !name.startsWith(`${PREFIX}${key}`)) {
      log(`boot cache: removing the outdated ${join(dir, name)}`);
      rmSync(join(dir, name), { force: true });
    }
  }
  return { ...done(), built: true, seconds: (Date.now() - started) / 1000 };
}

function readText(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}
