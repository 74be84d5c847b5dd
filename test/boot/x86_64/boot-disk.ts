// The boot disk: a copy of the boot root with the agent installed by its own `install --root` (what an image
// builder runs), the observer, and cloud-init's data source list; an ext4 file system made by `mke2fs -d`
// straight from that directory (no loop device, no mount). Cached, keyed by everything that goes into it.
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheDir, extractRoot, isAlive } from '../../image/debian-root.js';
import { removeTree } from '../../image/mounts.js';
import { describeRun, mustRun, run } from '../../image/process.js';

const REPO = join(__dirname, '../../..');
export const BUNDLE = join(REPO, 'dist/guest-boot-agent.js');
const GUEST = join(__dirname, 'guest');
const PREFIX = 'boot-x86_64-disk-';
/** Bump when the steps below change what ends up on the disk. */
const RECIPE = 1;

/**
 * cloud-init: the config drive first (as Nova's images list it), then the metadata service; the None fallback
 * keeps a boot going when neither answers. The OpenStack source's waits are shortened: a test cloud answers at
 * once or not at all.
 */
const CLOUD_CFG = `# guest-boot-agent boot test
datasource_list: [ ConfigDrive, OpenStack, None ]
datasource:
  OpenStack:
    max_wait: 60
    timeout: 10
    retries: 2
# Nothing here uses ssh or locales: key generation and locale-gen only slow an emulated boot down.
ssh_genkeytypes: []
locale: false
`;

export interface BootDisk {
  image: string;
  /** What `install --root` printed. */
  installOutput: string;
  built: boolean;
  seconds: number;
}

/** Everything that shapes the disk, hashed: the root, the bundle, the units and rule it installs, the observer. */
function diskKey(rootTarball: string): string {
  const hash = createHash('sha256').update(JSON.stringify({ recipe: RECIPE, rootTarball, cloud: CLOUD_CFG }));
  const inputs = [BUNDLE, ...['systemd', 'udev', 'test/boot/x86_64/guest'].flatMap((dir) => readdirSync(join(REPO, dir)).sort().map((name) => join(REPO, dir, name)))];
  for (const path of inputs) hash.update(path).update(readFileSync(path));
  return hash.digest('hex').slice(0, 16);
}

/** The cached disk image for this root and agent; made first when missing. */
export async function ensureBootDisk(rootTarball: string, log: (line: string) => void): Promise<BootDisk> {
  const started = Date.now();
  const dir = cacheDir();
  const key = diskKey(rootTarball);
  const image = join(dir, `${PREFIX}${key}.raw`);
  const record = `${image}.txt`;
  if (existsSync(image) && existsSync(record)) return { image, installOutput: readFileSync(record, 'utf8'), built: false, seconds: (Date.now() - started) / 1000 };

  for (const name of readdirSync(dir)) {
    const pid = /^\.boot-disk-(\d+)-/.exec(name)?.[1];
    if (pid && !isAlive(Number(pid))) await removeTree(join(dir, name));
  }
  log(`boot cache: ${image} missing; making it from ${rootTarball}`);
  const work = mkdtempSync(join(dir, `.boot-disk-${process.pid}-`));
  try {
    const root = join(work, 'root');
    mkdirSync(root);
    await extractRoot(rootTarball, root);
    // The image builder's step: this bundle installs itself, its units and its rule, and enables them.
    const install = await run(process.execPath, [BUNDLE, '--root', root, 'install']);
    if (install.code !== 0) throw new Error(`install --root failed:\n${describeRun(install)}`);
    const installOutput = `${install.stdout}${install.stderr}`.trim();

    copyFileSync(join(GUEST, 'gba-observe'), join(root, 'usr/local/sbin/gba-observe'));
    chmodSync(join(root, 'usr/local/sbin/gba-observe'), 0o755);
    copyFileSync(join(GUEST, 'gba-observer.service'), join(root, 'etc/systemd/system/gba-observer.service'));
    mkdirSync(join(root, 'etc/systemd/system/cloud-init.target.wants'), { recursive: true });
    symlinkSync('/etc/systemd/system/gba-observer.service', join(root, 'etc/systemd/system/cloud-init.target.wants/gba-observer.service'));
    writeFileSync(join(root, 'etc/cloud/cloud.cfg.d/90-gba-boot-test.cfg'), CLOUD_CFG);
    writeFileSync(join(root, 'etc/fstab'), '/dev/vda / ext4 rw,errors=remount-ro 0 1\n');
    writeFileSync(join(root, 'etc/hostname'), 'localhost\n');
    // systemd makes a machine id on each first boot (every boot here starts from this same disk).
    writeFileSync(join(root, 'etc/machine-id'), '');

    const usedMiB = Number((await mustRun('du', ['-sm', '--one-file-system', root], { timeoutMs: 300_000 })).stdout.split('\t')[0]);
    const sizeMiB = Math.ceil((usedMiB * 1.25 + 512) / 64) * 64;
    const raw = join(work, 'disk.raw');
    await mustRun('mke2fs', ['-q', '-F', '-t', 'ext4', '-L', 'gba-root', '-d', root, raw, `${sizeMiB}M`], { timeoutMs: 600_000 });
    writeFileSync(record, `${installOutput}\n`);
    renameSync(raw, image);
    for (const name of readdirSync(dir)) {
      if (name.startsWith(PREFIX) && !name.startsWith(`${PREFIX}${key}`)) {
        log(`boot cache: removing the outdated ${join(dir, name)}`);
        rmSync(join(dir, name), { force: true });
      }
    }
    return { image, installOutput, built: true, seconds: (Date.now() - started) / 1000 };
  } finally {
    await removeTree(work);
  }
}
