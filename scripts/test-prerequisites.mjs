#!/usr/bin/env node
// `npm test`'s first step (the `pretest` script): installs the Debian packages the suites use for real,
// so the README's one test command works on a fresh Debian 12 machine that has only Node and npm.
// Each package is checked by a file it ships; only missing ones are installed, in one apt-get run, and
// the list is printed first. Without root (or apt) it prints what is missing and goes on: the suites that
// need it then skip loudly or fail, as their own messages say.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** [Debian package, files any one of which shows it is installed, what it is for]. */
const PACKAGES = [
  ['iproute2', ['/usr/sbin/ip', '/sbin/ip'], 'setmac in a network namespace; the image test'],
  ['systemd', ['/usr/bin/systemd-analyze'], 'systemd-analyze verify/security of the units'],
  ['udev', ['/usr/bin/udevadm', '/bin/udevadm'], 'udevadm test of the rule'],
  ['kmod', ['/usr/bin/kmod', '/bin/kmod'], "the --root refusal of the host's modprobe"],
  ['debootstrap', ['/usr/sbin/debootstrap'], 'the Debian roots of the image and boot tests'],
  ['debian-archive-keyring', ['/usr/share/keyrings/debian-archive-keyring.gpg'], 'debootstrap signature checks'],
  ['zstd', ['/usr/bin/zstd'], 'the root caches'],
  ['xz-utils', ['/usr/bin/xz'], 'official Node tarballs (the element unpacks them; the image test repacks one)'],
  ['fuse3', ['/usr/bin/fusermount3', '/bin/fusermount3'], 'the kernel model served as a file system'],
  ['libfuse3-dev', ['/usr/include/fuse3/fuse_lowlevel.h'], 'building the FUSE server of the kernel model'],
  ['pkg-config', ['/usr/bin/pkg-config'], 'building the FUSE server'],
  ['gcc', ['/usr/bin/gcc'], 'building the FUSE server and Hyperion'],
  ['make', ['/usr/bin/make'], 'building Hyperion'],
  ['qemu-system-x86', ['/usr/bin/qemu-system-x86_64'], 'the x86_64 boot test'],
  ['qemu-system-misc', ['/usr/bin/qemu-system-s390x'], 'the s390x boot test'],
  ['cpio', ['/usr/bin/cpio', '/bin/cpio'], 'initramfs images of the boot tests'],
  ['e2fsprogs', ['/usr/sbin/mke2fs', '/sbin/mke2fs'], 'boot disks without loop mounts (mke2fs -d)'],
  ['dosfstools', ['/usr/sbin/mkfs.vfat', '/sbin/mkfs.vfat'], 'a vfat config drive'],
  ['mtools', ['/usr/bin/mcopy'], 'filling a vfat config drive without mounting it'],
  ['xorriso', ['/usr/bin/xorriso'], 'an iso9660 config drive'],
  ['libltdl-dev', ['/usr/include/ltdl.h'], 'building Hyperion'],
  ['libtool', ['/usr/bin/libtoolize'], 'building Hyperion'],
  ['autoconf', ['/usr/bin/autoconf'], 'building Hyperion'],
  ['automake', ['/usr/bin/automake'], 'building Hyperion'],
  ['zlib1g-dev', ['/usr/include/zlib.h'], 'building Hyperion'],
  ['libbz2-dev', ['/usr/include/bzlib.h'], 'building Hyperion'],
];

const missing = PACKAGES.filter(([, files]) => !files.some((file) => existsSync(file)));
if (missing.length === 0) process.exit(0);

const names = missing.map(([name]) => name);
for (const [name, , why] of missing) process.stdout.write(`test prerequisites: ${name} is missing (${why})\n`);
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
if (!isRoot || !existsSync('/usr/bin/apt-get')) {
  process.stdout.write(`test prerequisites: not root or no apt-get; install them with: apt-get install ${names.join(' ')}\n`);
  process.exit(0);
}
process.stdout.write(`test prerequisites: installing ${names.join(' ')}\n`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...names], { stdio: ['ignore', 'ignore', 'inherit'], env });
