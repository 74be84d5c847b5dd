// Issue 12 item 2: the bundle on a real s390x kernel (Debian 12's, 6.1) with Debian's Node 18 for s390x, under
// qemu-system-s390x (TCG). Real cio_ignore, ccw, ccwgroup and the qeth module; QEMU has no OSA model, so every
// NIC entry names a virtio-ccw device and the qeth half can only refuse it — which is one of the things shown.
// One boot: /init (qemu-init.sh) runs every step and writes its outputs to a results disk (virtio-blk-ccw, a raw
// image the host reads back after QEMU has exited), as the Hyperion boot does; the tests read them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ccwTable, ignoredIds } from '../lib-s390x/cio.js';
import type { GuestReport } from '../lib-s390x/console.js';
import { fileJson, fileText, parseConsole, step } from '../lib-s390x/console.js';
import { REPO, makeInitrd } from '../lib-s390x/initrd.js';
import { SKIP, missingPrerequisite, skipWarning } from '../lib-s390x/prerequisites.js';
import { RESULTS_DEVNO, createRawDisk, readResults } from '../lib-s390x/results-disk.js';
import type { QemuResult } from '../lib-s390x/qemu.js';
import { bootQemu } from '../lib-s390x/qemu.js';
import { ensureS390xGuest } from '../lib-s390x/s390x-root.js';

const INIT = fileURLToPath(new URL('./qemu-init.sh', import.meta.url));
const TOOLS = { 'qemu-system-s390x': 'qemu-system-misc', 'apt-get': 'apt', 'dpkg-deb': 'dpkg', cpio: 'cpio', readelf: 'binutils' };
/** 0600: a visible virtio NIC whose +1/+2 are hidden; 0700-0702: hidden virtio devices the agent must free to see. */
const CIO_IGNORE = '0.0.0601-0.0.0602,0.0.0700-0.0.0702';
const NICS = '0600,0,0a0000000011; 0700,1,0a0000000012;';
const APPEND = `console=ttysclp0 quiet panic=1 gbapace=0 cio_ignore=${CIO_IGNORE} ${NICS}`;
const DEVICES = [
  '-netdev', 'user,id=n0,restrict=on', '-device', 'virtio-net-ccw,netdev=n0,devno=fe.0.0600,mac=52:54:00:12:06:00',
  ...['0601', '0602', '0700', '0701', '0702'].flatMap((devno) => ['-device', `virtio-rng-ccw,devno=fe.0.${devno}`]),
];
const BOOT_TIMEOUT_MS = 8 * 60_000;
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

if (SKIP) skipWarning('the s390x kernel boot under QEMU (the bundle on s390x Node 18, real cio_ignore and the qeth module)');
const log = (line: string) => console.log(`s390x-qemu: ${line}`);

let work = '';
let boot: QemuResult;
let report: GuestReport;

/** On any failure, the whole console: what the guest said is the only evidence of why. */
function withConsole(message: string): string {
  return `${message}\n--- guest console (${boot?.seconds.toFixed(0)} s, qemu exit ${boot?.code}${boot?.timedOut ? ', KILLED at the deadline' : ''}) ---\n${boot?.console ?? ''}\n--- qemu stderr ---\n${boot?.stderr ?? ''}`;
}

describe.skipIf(SKIP)('a Debian 12 s390x kernel under qemu-system-s390x', () => {
  beforeAll(async () => {
    const missing = missingPrerequisite(TOOLS);
    if (missing) throw new Error(`the s390x boot cannot run: ${missing}. Set GBA_SKIP_BOOT_TEST=1 to skip it (it says so loudly).`);
    const guest = await ensureS390xGuest(log);
    log(`${guest.built ? 'built and cached' : 'cached'} kernel ${guest.kernelVersion} and initramfs (${guest.seconds.toFixed(1)} s)`);
    work = mkdtempSync(join(tmpdir(), 'gba-s390x-qemu-'));
    const initrd = await makeInitrd(work, guest.initramfs, INIT);
    const disk = join(work, 'results.img');
    createRawDisk(disk);
    const results = ['-drive', `file=${disk},format=raw,if=none,id=results`, '-device', `virtio-blk-ccw,drive=results,devno=fe.0.${RESULTS_DEVNO}`];
    boot = await bootQemu({ kernel: guest.kernel, initrd, append: APPEND, devices: [...DEVICES, ...results], work, timeoutMs: BOOT_TIMEOUT_MS });
    const seen = parseConsole(boot.console);
    log(`boot: ${boot.seconds.toFixed(1)} s from QEMU start to power-off`);
    if (!seen.done) throw new Error(withConsole('the guest never reported DONE'));
    try {
      report = { ...seen, ...readResults(disk, seen) };
    } catch (error) {
      throw new Error(withConsole((error as Error).message), { cause: error });
    }
    for (const [name, { rc, secs }] of report.steps) log(`guest step ${name}: exit ${rc}, ${secs.toFixed(2)} s`);
  });

  afterAll(() => {
    if (work && !process.env.GBA_BOOT_KEEP) rmSync(work, { recursive: true, force: true });
  });

  it('runs the bundle on s390x with Debian Node 18, and says how long Node takes to start under emulation', () => {
    expect(report.lines.find((line) => line.startsWith('BOOT')), withConsole('no BOOT line')).toMatch(/^BOOT qemu 6\.1\.\S+ s390x$/);
    expect(fileText(report, 'node-version.out').trim()).toMatch(/^v18\./);
    expect(step(report, 'version').rc, withConsole('--version failed')).toBe(0);
    expect(fileText(report, 'version.out').trim()).toBe(VERSION);
    log(`node -e 0: ${step(report, 'node-e0').secs.toFixed(2)} s; guest-boot-agent --version: ${step(report, 'version').secs.toFixed(2)} s`);
  });

  it('show --json describes the named devices as /sys/bus/ccw/devices has them', () => {
    expect(step(report, 'show').rc, withConsole(fileText(report, 'show.err'))).toBe(0);
    const show = fileJson<{ qeth: { ccw: Record<string, { cutype: string; online: boolean }>; cioIgnore: unknown; driverLoaded: boolean } }>(report, 'show.out');
    const sysfs = ccwTable(fileText(report, 'ccw-before.txt'));
    expect(sysfs.get('0.0.0600')?.cutype).toBe('3832/01');
    expect(show.qeth.ccw['0.0.0600']?.cutype).toBe('3832/01');
    // Hidden devices are in neither.
    for (const id of ['0.0.0601', '0.0.0700']) {
      expect(sysfs.has(id)).toBe(false);
      expect(show.qeth.ccw[id]).toBeUndefined();
    }
    expect(show.qeth.driverLoaded).toBe(false);
  });

  it('qeth loads the qeth module via modprobe, frees the hidden triple, and refuses virtio devices by CU type (exit 1)', () => {
    expect(fileText(report, 'ccwgroup-before.txt')).not.toMatch(/\bqeth\b/);
    expect(fileText(report, 'qeth-driver-after.txt'), 'the group file appears once modprobe has loaded qeth').toMatch(/\bgroup\b/);
    const qeth = step(report, 'qeth');
    expect(qeth.rc, withConsole(fileText(report, 'qeth.err'))).toBe(1);
    const result = fileJson<{ exitCode: number; results: { target: string; ok: boolean; error?: string }[] }>(report, 'qeth.out');
    expect(result.exitCode).toBe(1);
    const byTarget = Object.fromEntries(result.results.map((one) => [one.target, one]));
    expect(byTarget['0.0.0600']?.error).toMatch(/0\.0\.0600 has CU type 3832\/01, not a qeth device/);
    // 0700 was hidden: its CU type can only be known once it has been freed and has appeared.
    expect(byTarget['0.0.0700']?.error).toMatch(/0\.0\.0700 has CU type 3832\/04, not a qeth device/);
    expect(fileText(report, 'qeth.err')).toMatch(/0\.0\.0600: cannot be configured: .*CU type 3832\/01/);
    const seen = fileText(report, 'ccw-watch.txt');
    for (const id of ['0.0.0700', '0.0.0701', '0.0.0702']) expect(seen, `${id} never appeared while qeth ran`).toContain(id);
    log(`qeth (modprobe, free, refuse): ${qeth.secs.toFixed(2)} s`);
  });

  it('leaves hidden what it did not group: 0601/0602 never freed (next to a visible non-OSA device), 0700-0702 hidden again', () => {
    const before = ignoredIds(fileText(report, 'cio-before.txt'));
    const after = ignoredIds(fileText(report, 'cio-after.txt'));
    for (const id of ['0.0.0601', '0.0.0602', '0.0.0700', '0.0.0701', '0.0.0702']) expect(before.has(id)).toBe(true);
    expect([...after].filter((id) => before.has(id)).sort(), `cio_ignore after qeth:\n${fileText(report, 'cio-after.txt')}`).toEqual([...before].sort());
    expect(fileText(report, 'ccw-watch.txt').split('\n').some((line) => line.includes('0.0.0601')), '0601 was freed: it sits next to a visible virtio device').toBe(false);
  });

  it('setmac on the virtio-ccw NIC enc600: not a qeth interface, nothing to do (exit 0, a warning), the MAC untouched', () => {
    expect(fileText(report, 'links.txt')).toMatch(/\benc600\b/);
    const setmac = step(report, 'setmac');
    expect(setmac.rc, withConsole(fileText(report, 'setmac.err'))).toBe(0);
    expect(fileText(report, 'setmac.err')).toMatch(/enc600: not a qeth interface \(its device is virtio\d+, not a qeth group device/);
    expect(fileText(report, 'enc600-mac-after.txt').trim()).toBe('52:54:00:12:06:00');
    expect(fileText(report, 'enc600-mac-before.txt').trim()).toBe('52:54:00:12:06:00');
  });
});
