// Nova's config drive as files, made without mounting anything: iso9660 (xorriso, as Nova's genisoimage
// does) for a CD, vfat (mkfs.vfat + mcopy) for a disk; both labelled config-2, as Nova labels them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { hostEnv, mustRun } from '../../image/process.js';

export const CONFIG_DRIVE_LABEL = 'config-2';

/** Files of the drive, relative to its root (openstack/latest/meta_data.json …). */
export type DriveFiles = Record<string, string>;

/** The OpenStack half of a drive: what cloud-init's ConfigDrive source needs, and the vendor data. */
export function openstackFiles(meta: { uuid: string; hostname: string }, vendorData2: string): DriveFiles {
  return {
    'openstack/latest/meta_data.json': JSON.stringify({ uuid: meta.uuid, name: meta.hostname, hostname: meta.hostname, launch_index: 0, availability_zone: 'nova', meta: {}, devices: [] }),
    'openstack/latest/vendor_data.json': '{}',
    'openstack/latest/vendor_data2.json': vendorData2,
  };
}

function writeTree(dir: string, files: DriveFiles): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** An iso9660 image (Rock Ridge and Joliet, as Nova makes it) at `image`. */
export async function makeIsoDrive(work: string, image: string, files: DriveFiles): Promise<void> {
  const tree = join(work, 'iso-tree');
  writeTree(tree, files);
  await mustRun('xorriso', ['-as', 'mkisofs', '-quiet', '-V', CONFIG_DRIVE_LABEL, '-J', '-r', '-o', image, tree]);
}

/** A 64 MiB vfat image (Nova's size for vfat drives) at `image`, filled by mcopy. */
export async function makeVfatDrive(work: string, image: string, files: DriveFiles): Promise<void> {
  const tree = join(work, 'vfat-tree');
  writeTree(tree, files);
  await mustRun('mkfs.vfat', ['-n', CONFIG_DRIVE_LABEL, '-C', image, String(64 * 1024)]);
  const env = hostEnv({ MTOOLS_SKIP_CHECK: '1' });
  await mustRun('mcopy', ['-s', '-i', image, join(tree, 'openstack'), '::/'], { env });
}
