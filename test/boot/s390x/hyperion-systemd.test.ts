// Issue 12 item 4 (GBA_BOOT_S390X_SYSTEMD=0 leaves it out): a Debian 12 s390x root
// with systemd, udev and cloud-init, the agent installed by its own `install --root`, booted under Hyperion with
// one QETH device and its NIC entry on the kernel command line. The whole root is the initramfs (no root disk
// driver needed), /init is systemd. An observer unit writes the journal and the units' states to the results
// DASD and powers off; the tests read them and Hercules' own log.
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractRoot } from '../../image/debian-root.js';
import { describeRun, mustRun, run } from '../../image/process.js';
import type { GuestReport } from '../lib-s390x/console.js';
import { fileText, parseConsole, step } from '../lib-s390x/console.js';
import type { HerculesResult } from '../lib-s390x/hercules.js';
import { bootHercules } from '../lib-s390x/hercules.js';
import { HYPERION_BUILD_TOOLS, ensureHyperion } from '../lib-s390x/hyperion.js';
import { BUNDLE } from '../lib-s390x/initrd.js';
import { SKIP, missingPrerequisite, skipWarning } from '../lib-s390x/prerequisites.js';
import { RESULTS_DEVNO, createFbaDisk, readResults } from '../lib-s390x/results-disk.js';
import { ensureS390xGuest, makeCpio } from '../lib-s390x/s390x-root.js';
import { ensureS390xSystemdRoot } from '../lib-s390x/systemd-root.js';

/** Part of test:boot (≈ 2 min with the root cached; its first build runs debootstrap's second stage under
 * qemu-system-s390x, ≈ 20 min). GBA_BOOT_S390X_SYSTEMD=0 leaves it out, loudly. */
const OPT_IN = process.env.GBA_BOOT_S390X_SYSTEMD !== '0';
const GUEST = fileURLToPath(new URL('./systemd/', import.meta.url));
const TOOLS = { ...HYPERION_BUILD_TOOLS, ip: 'iproute2', 'apt-get': 'apt', 'dpkg-deb': 'dpkg', cpio: 'cpio', readelf: 'binutils', debootstrap: 'debootstrap', 'qemu-system-s390x': 'qemu-system-misc', zstd: 'zstd' };
const MAC = '0a:00:00:00:00:11';
// 0600-0602 hidden as on a DPM partition: the qeth unit must free them first. cloud-init=enabled: with no data
// source ds-identify would switch cloud-init off, and its local stage is what the qeth unit is ordered before.
const APPEND = `conmode=3215 condev=0x0009 console=ttyS0 quiet cio_ignore=0.0.0600-0.0.0602 cloud-init=enabled 0600,0,0a0000000011;`;
const BOOT_TIMEOUT_MS = 40 * 60_000;

if (!OPT_IN) console.warn('\n!!! NOT RUN: the s390x systemd boot under Hyperion (GBA_BOOT_S390X_SYSTEMD=0 says so).\n');
else if (SKIP) skipWarning('the s390x systemd boot under Hyperion (the qeth unit and the setmac rule in a real boot)');
const log = (line: string) => console.log(`s390x-systemd: ${line}`);

let work = '';
let boot: HerculesResult;
let report: GuestReport;

function withConsole(message: string): string {
  const journal = report?.files.get('journal.out')?.toString('utf8');
  return `${message}\n--- Hercules log with the guest console (${boot?.seconds.toFixed(0)} s, exit ${boot?.code}${boot?.timedOut ? ', STOPPED at the deadline' : ''}) ---\n${boot?.log ?? ''}${journal ? `\n--- journal ---\n${journal}` : ''}`;
}

/** `systemctl show` blocks (blank-line separated) → unit → property → value. */
function unitTable(): Record<string, Record<string, string>> {
  const table: Record<string, Record<string, string>> = {};
  for (const block of fileText(report, 'units.out').split(/\n\s*\n/)) {
    const props = Object.fromEntries(block.split('\n').filter((line) => line.includes('=')).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
    if (props.Id) table[props.Id] = props;
  }
  return table;
}
const textOf = (name: string) => report?.files.get(name)?.toString('utf8').trim() ?? `(no ${name})`;
const mono = (unit: Record<string, string> | undefined, property: string) => Number(unit?.[property] ?? NaN);

describe.skipIf(!OPT_IN || SKIP)('Debian 12 s390x with systemd, udev and cloud-init under Hyperion: the qeth unit and the setmac rule in a real boot', () => {
  beforeAll(async () => {
    const missing = missingPrerequisite(TOOLS);
    if (missing) throw new Error(`the s390x systemd boot cannot run: ${missing}.`);
    const hyperion = await ensureHyperion(log);
    const guest = await ensureS390xGuest(log);
    const cached = await ensureS390xSystemdRoot(guest, log);
    log(`${cached.built ? 'built and cached' : 'cached'} root ${cached.tarball} (${cached.seconds.toFixed(0)} s)`);
    work = mkdtempSync(join(tmpdir(), 'gba-s390x-systemd-'));
    const root = join(work, 'root');
    mkdirSync(root);
    await extractRoot(cached.tarball, root);
    // The image builder's step: the bundle installs itself, its units and its rule into the root.
    const install = await run(process.execPath, [BUNDLE, '--root', root, 'install', '--enable', 'qeth,setmac', '--node', '/usr/bin/node']);
    if (install.code !== 0) throw new Error(`install --root failed:\n${describeRun(install)}`);
    log(`install --root: ${`${install.stdout}${install.stderr}`.trim().split('\n').pop()}`);
    mkdirSync(join(root, 'usr/local/sbin'), { recursive: true });
    copyFileSync(join(GUEST, 'gba-observe'), join(root, 'usr/local/sbin/gba-observe'));
    chmodSync(join(root, 'usr/local/sbin/gba-observe'), 0o755);
    copyFileSync(join(GUEST, 'gba-observer.service'), join(root, 'etc/systemd/system/gba-observer.service'));
    mkdirSync(join(root, 'etc/systemd/system/multi-user.target.wants'), { recursive: true });
    symlinkSync('/etc/systemd/system/gba-observer.service', join(root, 'etc/systemd/system/multi-user.target.wants/gba-observer.service'));
    mkdirSync(join(root, 'etc/cloud/cloud.cfg.d'), { recursive: true });
    writeFileSync(join(root, 'etc/cloud/cloud.cfg.d/90-gba-boot-test.cfg'), 'datasource_list: [ None ]\n');
    writeFileSync(join(root, 'etc/hostname'), 'localhost\n');
    writeFileSync(join(root, 'etc/fstab'), '');
    writeFileSync(join(root, 'etc/machine-id'), '');
    // The kernel runs /init of the initramfs: here that is systemd, on the root it unpacked. It opens
    // /dev/console before anything mounts devtmpfs (the cached root's /dev is empty: it was a mount point).
    symlinkSync('/usr/lib/systemd/systemd', join(root, 'init'));
    mkdirSync(join(root, 'dev'), { recursive: true });
    await mustRun('mknod', ['-m', '600', join(root, 'dev/console'), 'c', '5', '1']);
    const initrd = join(work, 'initrd');
    await makeCpio(root, initrd);
    rmSync(root, { recursive: true, force: true });
    const disk = join(work, 'results.fba');
    await createFbaDisk(hyperion.prefix, disk, 65_536);
    boot = await bootHercules({
      hercules: hyperion.hercules,
      kernel: guest.kernel,
      initrd,
      append: APPEND,
      qeth: [{ devno: '0600', chpid: '06' }],
      fba: [{ devno: RESULTS_DEVNO, path: disk }],
      work,
      timeoutMs: BOOT_TIMEOUT_MS,
      mainsize: 4096,
    });
    const seen = parseConsole(boot.log);
    log(`IPL to DONE: ${boot.doneAfter?.toFixed(1) ?? 'never'} s; Hercules ran ${boot.seconds.toFixed(1)} s`);
    if (!seen.done) throw new Error(withConsole('the guest never reported DONE'));
    try {
      report = { ...seen, ...readResults(disk, seen, { stepsOnConsole: 'none' }) };
    } catch (error) {
      throw new Error(withConsole((error as Error).message), { cause: error });
    }
    log(`results disk: ${report.files.size} files`);
  });

  afterAll(() => {
    if (work && !process.env.GBA_BOOT_KEEP) rmSync(work, { recursive: true, force: true });
  });

  it('the qeth unit ran at boot (condition met) and configured the NIC: exit 0, enc600 with the cmdline MAC', () => {
    const qeth = unitTable()['guest-boot-agent-qeth.service'];
    expect(qeth, withConsole('no state for the qeth unit')).toMatchObject({ ConditionResult: 'yes', Result: 'success', ExecMainStatus: '0', ActiveState: 'active' });
    expect(fileText(report, 'agent-journal.out')).toMatch(/0\.0\.0600: configured/);
    expect(fileText(report, 'links.out')).toMatch(new RegExp(`enc600: .*link/ether ${MAC}`));
    expect(boot.log).toMatch(new RegExp(`HHC03801I .*Register guest MAC address ${MAC}`));
    expect(fileText(report, 'groups.out')).toMatch(/0\.0\.0600 online=1 layer2=1 portno=0/);
  });

  it('the qeth unit is ordered before cloud-init-local.service and network-pre.target, and finished before they started', () => {
    const units = unitTable();
    const qeth = units['guest-boot-agent-qeth.service']!;
    expect(qeth.Before?.split(' ')).toEqual(expect.arrayContaining(['cloud-init-local.service', 'network-pre.target']));
    const finished = mono(qeth, 'ExecMainExitTimestampMonotonic');
    expect(finished).toBeGreaterThan(0);
    const local = units['cloud-init-local.service'];
    const pre = units['network-pre.target'];
    log(`qeth unit ${mono(qeth, 'ExecMainStartTimestampMonotonic') / 1e6}–${finished / 1e6} s; cloud-init-local started ${mono(local, 'InactiveExitTimestampMonotonic') / 1e6} s (${local?.Result}); network-pre.target reached ${mono(pre, 'ActiveEnterTimestampMonotonic') / 1e6} s`);
    expect(mono(local, 'InactiveExitTimestampMonotonic'), withConsole('cloud-init-local.service never started')).toBeGreaterThan(finished);
    expect(mono(pre, 'ActiveEnterTimestampMonotonic'), withConsole('network-pre.target was never reached')).toBeGreaterThan(finished);
  });

  it('udev fired guest-boot-agent-setmac@enc600.service for the real qeth netdev, and it ran', () => {
    // This boot found that the rule must match ACTION=="add|move": udev renames eth0 to enc600 while handling the
    // add event, systemd ignores a device being renamed and plugs it on the move event. On a failure the message
    // shows the device unit and what `udevadm test --action=add` gives for the same device.
    const why = `device unit: ${textOf('device-unit.out')}; udevadm test --action=add: ${/SYSTEMD_WANTS=.*/.exec(textOf('udev-test.out'))?.[0] ?? 'no SYSTEMD_WANTS'}`;
    const setmac = unitTable()['guest-boot-agent-setmac@enc600.service'];
    expect(setmac, why).toMatchObject({ Result: 'success', ExecMainStatus: '0', ActiveState: 'active' });
    expect(mono(setmac, 'ExecMainStartTimestampMonotonic')).toBeGreaterThan(0);
    // After=guest-boot-agent-qeth.service: at boot the instance starts once the qeth unit has set the MAC.
    const qeth = unitTable()['guest-boot-agent-qeth.service'];
    expect(mono(setmac, 'ExecMainStartTimestampMonotonic'), why).toBeGreaterThan(mono(qeth, 'ExecMainExitTimestampMonotonic'));
    log(`setmac@enc600 started ${mono(setmac, 'ExecMainStartTimestampMonotonic') / 1e6} s, after the qeth unit finished (${mono(qeth, 'ExecMainExitTimestampMonotonic') / 1e6} s)`);
    expect(fileText(report, 'agent-journal.out')).toMatch(/Finished guest-boot-agent-setmac@enc600\.service/);
    const instances = fileText(report, 'agent-units.out').split('\n').filter((line) => line.startsWith('guest-boot-agent-setmac@'));
    expect(instances.map((line) => line.split(/\s+/)[0]), 'one instance, for the qeth NIC only').toEqual(['guest-boot-agent-setmac@enc600.service']);
  });

  it('the rule does not fire for a non-qeth netdev (lo); no unit of the agent failed; show works in the booted guest', () => {
    expect(fileText(report, 'udev-lo.out')).not.toMatch(/guest-boot-agent-setmac/);
    expect(fileText(report, 'agent-units.out')).not.toMatch(/guest-boot-agent-setmac@lo/);
    expect(fileText(report, 'failed.out').trim(), 'failed units').not.toMatch(/guest-boot-agent/);
    expect(step(report, 'show').rc, textOf('show.err')).toBe(0);
  });
});
