// A Debian 12 s390x root with systemd, udev and cloud-init (issue 12 item 4): `debootstrap --foreign` on the
// host (no s390x code runs there), its second stage run once inside an emulated s390x machine
// (qemu-system-s390x, TCG: far faster than Hercules for dpkg), then cached under $GBA_IMAGE_CACHE as a tarball.
// The second stage runs with the whole root as the initramfs; the finished root comes back as a tar written to
// a virtio-blk disk, which the host's tar extracts.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createReadStream, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { cacheDir, compression, isAlive, MIRROR } from '../../image/debian-root.js';
import { removeTree } from '../../image/mounts.js';
import { mustRun } from '../../image/process.js';
import { bootQemu } from './qemu.js';
import type { S390xGuest } from './s390x-root.js';
import { guestCacheKey, makeCpio } from './s390x-root.js';

/**
 * What the root holds beyond minbase: the init system, the NIC tools, cloud-init and the agent's Node.
 * python3-cffi-backend by name: python3-cryptography (cloud-init → oauthlib) depends on the virtual
 * python3-cffi-backend-api-min/-max, which debootstrap's resolver does not follow; without it the second stage
 * fails configuring python3-cryptography.
 */
export const SYSTEMD_PACKAGES = ['systemd', 'systemd-sysv', 'udev', 'kmod', 'iproute2', 'cloud-init', 'python3-cffi-backend', 'nodejs'];
/** Bump when the steps below change what ends up in the cache. */
const RECIPE = 1;
const KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';
const STAGE2 = fileURLToPath(new URL('./second-stage.sh', import.meta.url));
const STAGE2_TIMEOUT_MS = 60 * 60_000;
const PREFIX = 's390x-systemd-root-';

export interface SystemdRoot {
  tarball: string;
  built: boolean;
  seconds: number;
  /** The second stage's log lines, when it ran now. */
  stage2?: string;
}

function rootKey(): string {
  return createHash('sha256').update(JSON.stringify({ recipe: RECIPE, packages: SYSTEMD_PACKAGES, guest: guestCacheKey(), stage2: readFileSync(STAGE2, 'utf8') })).digest('hex').slice(0, 16);
}

/** The cached root (a tarball, modules of the guest's kernel included); built first when it is not there. */
export async function ensureS390xSystemdRoot(guest: S390xGuest, log: (line: string) => void): Promise<SystemdRoot> {
  const started = Date.now();
  const dir = cacheDir();
  const { flag, ext } = await compression();
  const tarball = join(dir, `${PREFIX}${rootKey()}.tar.${ext}`);
  if (existsSync(tarball)) return { tarball, built: false, seconds: (Date.now() - started) / 1000 };

  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    const pid = /^\.s390x-systemd-(\d+)-/.exec(name)?.[1];
    if (pid && !isAlive(Number(pid))) await removeTree(join(dir, name));
  }
  const work = mkdtempSync(join(dir, `.s390x-systemd-${process.pid}-`));
  try {
    const root = join(work, 'root');
    if (!existsSync(KEYRING)) throw new Error(`${KEYRING} is missing (Debian's debian-archive-keyring package): refusing to debootstrap without checking signatures`);
    log(`s390x systemd root: debootstrap --foreign --arch=s390x bookworm (minbase, ${SYSTEMD_PACKAGES.join(' ')}) from ${MIRROR}`);
    await mustRun('debootstrap', ['--foreign', '--arch=s390x', '--variant=minbase', `--include=${SYSTEMD_PACKAGES.join(',')}`, `--keyring=${KEYRING}`, 'bookworm', root, MIRROR], { timeoutMs: 30 * 60_000 });
    // The guest kernel's modules (the cached subset: qeth, dasd, virtio …) and busybox for the second stage's /init.
    const base = join(work, 'base');
    mkdirSync(base);
    await mustRun('cpio', ['-i', '-d', '--quiet', '--no-absolute-filenames', `--file=${guest.initramfs}`, 'usr/lib/modules/*', 'usr/bin/busybox'], { cwd: base, timeoutMs: 300_000 });
    await mustRun('cp', ['-a', join(base, 'usr/lib/modules'), join(root, 'usr/lib/')]);
    const overlay = join(work, 'overlay');
    mkdirSync(join(overlay, 'gba'), { recursive: true });
    copyFileSync(join(base, 'usr/bin/busybox'), join(overlay, 'gba/busybox'));
    copyFileSync(STAGE2, join(overlay, 'init'));
    chmodSync(join(overlay, 'init'), 0o755);
    await makeCpio(root, join(work, 'root.cpio'));
    await makeCpio(overlay, join(work, 'overlay.cpio'));
    const initrd = join(work, 'initrd.cpio');
    const out = createWriteStream(initrd);
    for (const part of [join(work, 'root.cpio'), join(work, 'overlay.cpio')]) await pipeline(createReadStream(part), out, { end: false });
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    rmSync(join(work, 'root.cpio'));

    // The finished root comes back as a tar on this disk (sparse: only what the guest writes takes space).
    const disk = join(work, 'root-out.img');
    writeFileSync(disk, '');
    truncateSync(disk, 4 * 1024 ** 3);
    log('s390x systemd root: debootstrap --second-stage inside qemu-system-s390x (TCG), once');
    const boot = await bootQemu({
      kernel: guest.kernel,
      initrd,
      append: 'console=ttysclp0 panic=1',
      memory: 6144,
      devices: ['-drive', `file=${disk},format=raw,if=none,id=out,cache=unsafe`, '-device', 'virtio-blk-ccw,drive=out,devno=fe.0.0100'],
      work,
      timeoutMs: STAGE2_TIMEOUT_MS,
    });
    const result = /GBA STAGE2 rc (\d+) tar (\d+)/.exec(boot.console);
    if (!result || result[1] !== '0' || result[2] !== '0') {
      throw new Error(`the second stage failed in qemu-system-s390x (${boot.seconds.toFixed(0)} s, exit ${boot.code}${boot.timedOut ? ', killed at the deadline' : ''}):\n${boot.console.slice(-20_000)}\n${boot.stderr}`);
    }
    log(`s390x systemd root: second stage done in ${boot.seconds.toFixed(0)} s`);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root);
    await mustRun('tar', ['--extract', '--file', disk, '--numeric-owner', '--same-permissions', '--xattrs', '--xattrs-include=*', '-C', root], { timeoutMs: 600_000 });
    if (existsSync(join(root, 'debootstrap'))) throw new Error('the second stage left /debootstrap behind: it did not finish');
    await mustRun('tar', ['--create', flag, '--file', join(work, 'root.tar'), '--numeric-owner', '--xattrs', '--xattrs-include=*', '-C', root, '.'], { timeoutMs: 600_000 });
    renameSync(join(work, 'root.tar'), tarball);
    writeFileSync(`${tarball}.txt`, `bookworm minbase s390x + ${SYSTEMD_PACKAGES.join(' ')}, second stage in qemu-system-s390x ${new Date().toISOString()} from ${MIRROR}\n`);
    for (const name of readdirSync(dir)) {
      if (name.startsWith(PREFIX) && !name.startsWith(`${PREFIX}${rootKey()}`)) rmSync(join(dir, name), { force: true });
    }
    return { tarball, built: true, seconds: (Date.now() - started) / 1000, stage2: boot.console };
  } finally {
    await removeTree(work);
  }
}
