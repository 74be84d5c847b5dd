// The config-drive source against the real thing: an ext4 image labelled config-2 on a loop device, the real
// mount/umount/blkid (test/helpers/loop-drive.ts). Skipped unless root with working loop mounts.
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputUnavailableError } from '../../src/errors.js';
import { createLiveProgramsHost as createNodeHost } from '../helpers/live-programs-host.js';
import { createLogger } from '../../src/log.js';
import { findConfigDrive, readConfigDrive } from '../../src/sriov/sources/config-drive.js';
import { canLoopMount, linkDevice, makeDrive, makeMountRoot as makeRoot, mountsUnder, run } from '../helpers/loop-drive.js';

const DOC = '{"mlnx_sriov": {}}\n';
const lines: string[] = [];
const log = createLogger({ level: 'debug', journal: false, sink: (line) => lines.push(line) });

let usable = false;
beforeAll(() => {
  usable = canLoopMount();
});

const VENDOR_DATA = 'openstack/latest/vendor_data2.json';
const tempDirsLeft = (root: string) => (existsSync(join(root, 'run/guest-boot-agent')) ? readdirSync(join(root, 'run/guest-boot-agent')) : []);

describe('config drive (real loop device, mount, umount)', () => {
  it('finds the drive by label, mounts it read-only in a private dir, reads, unmounts and removes the dir', async (ctx) => {
    if (!usable) ctx.skip();
    const root = makeRoot();
    const device = makeDrive({ [VENDOR_DATA]: DOC });
    linkDevice(root, device, 'config-2');
    // The real mount table, so the filesystem type of the fresh mount can be read back.
    symlinkSync('/proc', join(root, 'proc'));
    const host = createNodeHost(root);
    const found = await findConfigDrive(host, log);
    expect(found).toEqual({ device, label: 'config-2' });
    expect(await readConfigDrive(host, log, device)).toEqual({ kind: 'document', text: DOC, device, fstype: 'ext4' });
    expect(mountsUnder(root)).toEqual([]);
    expect(tempDirsLeft(root)).toEqual([]);
  });

  it('finds an upper-case CONFIG-2 label too', async (ctx) => {
    if (!usable) ctx.skip();
    const root = makeRoot();
    const device = makeDrive({ [VENDOR_DATA]: DOC }, 'CONFIG-2');
    linkDevice(root, device, 'CONFIG-2');
    expect(await findConfigDrive(createNodeHost(root), log)).toEqual({ device, label: 'CONFIG-2' });
  });

  it('unmounts and removes the dir also when reading fails', async (ctx) => {
    if (!usable) ctx.skip();
    const root = makeRoot();
    const device = makeDrive({ [VENDOR_DATA]: null });
    linkDevice(root, device, 'config-2');
    const error = await readConfigDrive(createNodeHost(root), log, device).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputUnavailableError);
    expect((error as Error).message).toMatch(new RegExp(`^config drive ${device}: cannot read ${VENDOR_DATA}: .*EISDIR`));
    expect(mountsUnder(root)).toEqual([]);
    expect(tempDirsLeft(root)).toEqual([]);
  });

  it('a drive without vendor_data2.json (Nova before Newton) → not served; unmounted', async (ctx) => {
    if (!usable) ctx.skip();
    const root = makeRoot();
    const device = makeDrive({ 'openstack/latest/meta_data.json': '{}' });
    linkDevice(root, device, 'config-2');
    expect(await readConfigDrive(createNodeHost(root), log, device)).toEqual({ kind: 'not-served', device });
    expect(mountsUnder(root)).toEqual([]);
  });

  it('reuses an existing mount instead of mounting twice', async (ctx) => {
    if (!usable) ctx.skip();
    const root = makeRoot();
    const device = makeDrive({ [VENDOR_DATA]: DOC });
    linkDevice(root, device, 'config-2');
    mkdirSync(join(root, 'mnt/config'), { recursive: true });
    run('mount', ['-o', 'ro', device, join(root, 'mnt/config')]);
    // The host reads <root>/proc/self/mounts: list the device where the root sees it.
    mkdirSync(join(root, 'proc/self'), { recursive: true });
    writeFileSync(join(root, 'proc/self/mounts'), `sysfs /sys sysfs rw 0 0\n${device} /mnt/config ext4 ro,relatime 0 0\n`);
    expect(await readConfigDrive(createNodeHost(root), log, device)).toEqual({ kind: 'document', text: DOC, device, fstype: 'ext4' });
    expect(mountsUnder(root)).toEqual([join(root, 'mnt/config')]);
    expect(existsSync(join(root, 'run/guest-boot-agent'))).toBe(false);
  });

  it('a device that cannot be mounted: exit-3 error with mount’s message, dir removed', async (ctx) => {
    if (!usable) ctx.skip();
    const root = makeRoot();
    mkdirSync(join(root, 'dev'), { recursive: true });
    symlinkSync('/dev/null', join(root, 'dev/sr9'));
    const error = await readConfigDrive(createNodeHost(root), log, '/dev/sr9').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputUnavailableError);
    expect((error as Error).message).toMatch(/^config drive \/dev\/sr9: mount -o ro failed \(exit \d+\): \S/);
    expect(tempDirsLeft(root)).toEqual([]);
  });

  it('without by-label links, asks blkid', async (ctx) => {
    if (!usable) ctx.skip();
    // Another config-2 filesystem on this machine would make the answer ambiguous: then there is nothing to test.
    const before = (() => {
      try {
        return run('blkid', ['-c', '/dev/null', '-t', 'LABEL=config-2', '-o', 'device']);
      } catch {
        return '';
      }
    })();
    if (before !== '') ctx.skip();
    const root = makeRoot();
    const host = createNodeHost(root);
    expect(await findConfigDrive(host, log)).toBeUndefined();
    const device = makeDrive({ [VENDOR_DATA]: DOC });
    linkDevice(root, device);
    expect(await findConfigDrive(host, log)).toEqual({ device, label: 'config-2' });
    expect(await readConfigDrive(host, log, device)).toMatchObject({ kind: 'document', text: DOC });
  });
});
