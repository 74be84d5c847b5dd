// Debian 12 x86_64 booted for real under QEMU (TCG) with systemd 252, udev, cloud-init 22.4 and ifupdown, the
// agent installed by its own `install --root`: its units run in their real place in the boot and under their
// real sandbox, against a metadata service on the host reached as 169.254.169.254, and against config drives.
// An observer unit in the guest reports unit states and the journal on the second serial port, then powers off.
// Needs root and QEMU; GBA_SKIP_BOOT_TEST=1 skips it (loudly) only where one of them is missing.
// GBA_BOOT_KEEP=1 keeps each boot's disk overlay, drives, console and report (the path is printed).
// GBA_BOOT_ACCEL overrides `-accel tcg,thread=multi` (e.g. kvm, where KVM can boot Debian's kernel).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PATH } from '../../image/process.js';
import { makeIsoDrive, makeVfatDrive, openstackFiles } from '../lib/config-drive.js';
import { describeRequests, type MetadataServer, startMetadataServer } from '../lib/metadata-server.js';
import { commandLine, type QemuRun, readOrNote, runQemu, tail } from '../lib/qemu.js';
import { type JournalLine, parseJournal, parseReport, parseUnitProperties, type Report, sectionLines } from '../lib/report.js';
import { BUNDLE, ensureBootDisk } from './boot-disk.js';
import { ensureBootRoot } from './boot-root.js';

const REPO = join(__dirname, '../../..');
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
const AGENT_UA = `guest-boot-agent/${VERSION}`;
const VENDOR_DATA_PATH = '/openstack/latest/vendor_data2.json';
const METADATA_URL = `http://169.254.169.254${VENDOR_DATA_PATH}`;
const SRIOV = 'guest-boot-agent-sriov.service';
const QETH = 'guest-boot-agent-qeth.service';
const QEMU = 'qemu-system-x86_64';
const ACCEL = process.env.GBA_BOOT_ACCEL || 'tcg,thread=multi';
const KEEP = process.env.GBA_BOOT_KEEP === '1';
/** A boot that has not powered off by then has hung: killed, and its console shown. */
const BOOT_TIMEOUT_MS = 12 * 60_000;
/** The unit's own TimeoutStartSec (systemd/guest-boot-agent-sriov.service): its deadline. */
const SRIOV_DEADLINE_S = 180;

/** The PF the vendor data asks for: QEMU has no Mellanox device, so it is never there. */
const MISSING_PF_GUID = '98039b0300cafe01';
const MISSING_PF_DOCUMENT = JSON.stringify({
  mlnx_sriov: { enable_sriov: true, physical_guids: ['98:03:9b:03:00:ca:fe:01'], virtual_guids: [['98:03:9b:03:00:ca:fe:11', '98:03:9b:03:00:ca:fe:12']] },
  other_vendor: { token: 'not for the agent' },
});
const EMPTY_DOCUMENT = JSON.stringify({ mlnx_sriov: {} });
const DISABLED_DOCUMENT = JSON.stringify({ mlnx_sriov: { enable_sriov: false }, other_vendor: { token: 'not for the agent' } });
const NO_SRIOV_DOCUMENT = JSON.stringify({ other_vendor: { token: 'not for the agent' } });

const TOOLS = [QEMU, 'debootstrap', 'chroot', 'tar', 'mke2fs', 'xorriso', 'mkfs.vfat', 'mcopy', 'mount', 'umount', 'du'];

/** Why this machine cannot boot the test, or undefined. */
function missingPrerequisite(): string | undefined {
  if (process.getuid?.() !== 0) return 'it must run as root (debootstrap, chroot, mount); CI does';
  const onPath = (tool: string) => SYSTEM_PATH.split(':').some((dir) => statSync(join(dir, tool), { throwIfNoEntry: false })?.isFile());
  const missing = TOOLS.filter((tool) => !onPath(tool));
  if (missing.length > 0) return `${missing.join(', ')} not found in ${SYSTEM_PATH} (Debian: qemu-system-x86 debootstrap e2fsprogs xorriso dosfstools mtools)`;
  return undefined;
}

const MISSING = missingPrerequisite();
const SKIP = MISSING !== undefined && process.env.GBA_SKIP_BOOT_TEST === '1';
if (SKIP) console.warn(`\n!!! SKIPPING the x86_64 boot test (GBA_SKIP_BOOT_TEST=1, and ${MISSING}): the agent's units in a booted Debian 12 are NOT proven by this run.\n`);

const log = (line: string) => console.log(`boot x86_64: ${line}`);
const proved: string[] = [];
const prove = (line: string) => {
  proved.push(line);
  log(`proved: ${line}`);
};

interface Scenario {
  name: string;
  /** The metadata server's first phase and the documents it serves per phase. */
  phases: Record<string, string>;
  first: string;
  /** A phase the observer switches to before running the sriov unit a second time. */
  then?: string;
  drive?: { kind: 'iso' | 'vfat'; vendorData2: string };
}

interface Boot {
  scenario: Scenario;
  dir: string;
  qemu: QemuRun;
  console: string;
  reportText: string;
  report: Report;
  requests: MetadataServer['requests'];
}

let disk = '';
let kernel = '';
let initrd = '';
const identity = { uuid: randomUUID(), hostname: 'gba-boot-x86' };
const dumped = new Set<Boot>();

/** Boots one scenario to its power-off. */
async function boot(scenario: Scenario): Promise<Boot> {
  const dir = mkdtempSync(join(tmpdir(), `gba-boot-x86_64-${scenario.name}-`));
  const server = await startMetadataServer(identity, scenario.first);
  for (const [phase, document] of Object.entries(scenario.phases)) server.vendorData.set(phase, document);
  try {
    const consolePath = join(dir, 'console.log');
    const reportPath = join(dir, 'report.log');
    const drives: string[] = [];
    if (scenario.drive?.kind === 'iso') {
      await makeIsoDrive(dir, join(dir, 'config-2.iso'), openstackFiles(identity, scenario.drive.vendorData2));
      drives.push('-drive', `file=${join(dir, 'config-2.iso')},format=raw,if=ide,media=cdrom,readonly=on`);
    }
    if (scenario.drive?.kind === 'vfat') {
      await makeVfatDrive(dir, join(dir, 'config-2.vfat'), openstackFiles(identity, scenario.drive.vendorData2));
      drives.push('-drive', `file=${join(dir, 'config-2.vfat')},format=raw,if=virtio,readonly=on`);
    }
    const append = ['root=/dev/vda', 'rw', 'console=ttyS0,115200', 'panic=-1', `gba.scenario=${scenario.name}`, ...(scenario.then ? [`gba.then=${scenario.then}`] : [])];
    const args = [
      '-nodefaults', '-display', 'none', '-no-reboot',
      '-accel', ACCEL, '-smp', '2', '-m', '1024',
      // cloud-init's OpenStack source looks for Nova's DMI product name before asking 169.254.169.254.
      '-smbios', 'type=1,manufacturer=OpenStack Foundation,product=OpenStack Nova',
      '-kernel', kernel, '-initrd', initrd, '-append', append.join(' '),
      // snapshot=on: every boot starts from the same cached disk; writes go to a temporary overlay.
      '-drive', `file=${disk},format=raw,if=virtio,snapshot=on`,
      ...drives,
      // restrict=on: the guest reaches nothing but the guestfwd to the metadata server.
      '-netdev', `user,id=net0,net=169.254.0.0/16,restrict=on,${server.guestfwd()}`,
      '-device', 'virtio-net-pci,netdev=net0',
      '-serial', `file:${consolePath}`, '-serial', `file:${reportPath}`,
    ];
    writeFileSync(join(dir, 'qemu.cmdline'), `${commandLine([QEMU, ...args])}\n`);
    log(`${scenario.name}: booting (${ACCEL})${KEEP ? `; console in ${consolePath}, observer report in ${reportPath}` : ''}`);
    const qemu = await runQemu(QEMU, args, BOOT_TIMEOUT_MS);
    const reportText = readOrNote(reportPath);
    const result: Boot = { scenario, dir, qemu, console: readOrNote(consolePath), reportText, report: parseReport(reportText), requests: [...server.requests] };
    log(`${scenario.name}: QEMU ended after ${qemu.seconds.toFixed(1)} s (${qemu.timedOut ? 'KILLED: timed out' : `exit ${qemu.code}`}); ${result.requests.length} metadata requests`);
    if (qemu.timedOut || qemu.code !== 0 || !result.report.has('done')) {
      throw new Error(`${scenario.name}: the guest did not report and power off (${qemu.timedOut ? `killed after ${BOOT_TIMEOUT_MS / 1000} s` : `QEMU exit ${qemu.code}`})\n${describeBoot(result)}`);
    }
    return result;
  } finally {
    await server.close();
    if (!KEEP) rmSync(dir, { recursive: true, force: true });
    else log(`${scenario.name}: kept ${dir} (qemu.cmdline there boots it again by hand)`);
  }
}

/** Everything a failure should show: QEMU, the console's tail, the observer's report, the metadata requests. */
function describeBoot(one: Boot): string {
  return [
    `=== ${one.scenario.name}: ${commandLine(one.qemu.argv)}`,
    one.qemu.output.trim() && `--- QEMU said\n${one.qemu.output.trim()}`,
    `--- metadata requests\n${describeRequests(one.requests)}`,
    `--- guest console (ttyS0)\n${tail(one.console, 30_000)}`,
    `--- observer report (ttyS1)\n${tail(one.reportText, 60_000)}`,
  ]
    .filter(Boolean)
    .join('\n');
}

/** The guest's console and report on stderr, once per boot, when one of its assertions failed. */
function dumpOnFailure(get: () => Boot | undefined) {
  return ({ onTestFailed }: { onTestFailed: (fn: () => void) => void }) =>
    onTestFailed(() => {
      const one = get();
      if (one && !dumped.has(one)) {
        dumped.add(one);
        process.stderr.write(`\n${describeBoot(one)}\n`);
      }
    });
}

const units = (one: Boot, phase: string) => parseUnitProperties(sectionLines(one.report, `${phase}:units`));
const unit = (one: Boot, phase: string, id: string) => units(one, phase).get(id) ?? {};
const micro = (value: string | undefined) => Number(value ?? 0);
const journal = (one: Boot, section: string): JournalLine[] => parseJournal(sectionLines(one.report, section));
/** The agent's own lines (not systemd's about the unit), from the journal section. */
const agentLines = (lines: JournalLine[]) => lines.filter((line) => /guest-boot-agent\[\d+\]:/.test(line.text));
const hexOnly = (text: string) => text.toLowerCase().replace(/[^0-9a-f]/g, '');
const agentFetches = (one: Boot, phase: string) => one.requests.filter((request) => request.path === VENDOR_DATA_PATH && request.phase === phase && request.userAgent.startsWith('guest-boot-agent/'));
const firstAt = (lines: JournalLine[], pattern: RegExp) => lines.find((line) => pattern.test(line.text))?.at;

/** The run record the agent wrote (/run/guest-boot-agent/sriov.json), from the state section. */
function runRecord(one: Boot, phase: string): { source?: { kind: string; where: string }; exitCode?: number } {
  const lines = sectionLines(one.report, `${phase}:state`);
  const start = lines.indexOf('--- sriov.json');
  const end = lines.indexOf('--- blkid');
  try {
    return JSON.parse(lines.slice(start + 1, end).join('\n')) as { source?: { kind: string; where: string } };
  } catch {
    return {};
  }
}

/** Assertions every boot must pass, whatever its source of vendor data. */
function everyBoot(get: () => Boot | undefined, expectedFailed: string[]) {
  const b = () => get() as Boot;

  it('ran the sriov unit after network-online.target and finished it before cloud-final.service started (monotonic timestamps)', (ctx) => {
    dumpOnFailure(get)(ctx);
    const sriov = unit(b(), 'boot', SRIOV);
    const online = unit(b(), 'boot', 'network-online.target');
    const final = unit(b(), 'boot', 'cloud-final.service');
    const times = {
      online: micro(online.ActiveEnterTimestampMonotonic),
      sriovStart: micro(sriov.ExecMainStartTimestampMonotonic),
      sriovEnd: micro(sriov.ExecMainExitTimestampMonotonic),
      finalStart: micro(final.ExecMainStartTimestampMonotonic),
    };
    expect(Object.values(times).every((value) => value > 0), JSON.stringify(times)).toBe(true);
    expect(times.sriovStart).toBeGreaterThanOrEqual(times.online);
    expect(times.sriovEnd).toBeLessThanOrEqual(times.finalStart);
    // The same order in the journal's own monotonic timestamps.
    const bootJournal = journal(b(), 'boot:boot-journal');
    const agentJournal = journal(b(), 'boot:agent-journal');
    const reached = firstAt(bootJournal, /Reached target network-online\.target/);
    const started = firstAt(agentJournal, /Starting guest-boot-agent-sriov\.service/);
    const ended = firstAt(agentJournal, /(Finished|Failed to start) guest-boot-agent-sriov\.service|guest-boot-agent-sriov\.service: (Deactivated|Failed|Main process exited)/);
    const finalStarting = firstAt(bootJournal, /Starting cloud-final\.service/);
    const seen = { reached, started, ended, finalStarting };
    expect(Object.values(seen).every((value) => value !== undefined), `journal lines missing: ${JSON.stringify(seen)}`).toBe(true);
    expect(started as number).toBeGreaterThanOrEqual(reached as number);
    expect(ended as number).toBeLessThanOrEqual(finalStarting as number);
    const s = (us: number) => (us / 1e6).toFixed(2);
    prove(`${b().scenario.name}: network-online ${s(times.online)} s ≤ sriov start ${s(times.sriovStart)} s, sriov end ${s(times.sriovEnd)} s ≤ cloud-final start ${s(times.finalStart)} s (journal: ${reached} ≤ ${started}, ${ended} ≤ ${finalStarting})`);
  });

  it('ran the sriov unit under its hardening (as systemd applied it in the booted system)', (ctx) => {
    dumpOnFailure(get)(ctx);
    const sriov = unit(b(), 'boot', SRIOV);
    expect({
      ProtectSystem: sriov.ProtectSystem,
      ProtectHome: sriov.ProtectHome,
      PrivateMounts: sriov.PrivateMounts,
      PrivateTmp: sriov.PrivateTmp,
      NoNewPrivileges: sriov.NoNewPrivileges,
      DevicePolicy: sriov.DevicePolicy,
      ProtectKernelModules: sriov.ProtectKernelModules,
      RestrictNamespaces: sriov.RestrictNamespaces,
      RuntimeDirectory: sriov.RuntimeDirectory,
    }).toEqual({ ProtectSystem: 'strict', ProtectHome: 'yes', PrivateMounts: 'yes', PrivateTmp: 'yes', NoNewPrivileges: 'yes', DevicePolicy: 'closed', ProtectKernelModules: 'yes', RestrictNamespaces: 'yes', RuntimeDirectory: 'guest-boot-agent' });
    expect(sriov.CapabilityBoundingSet?.split(' ').sort()).toEqual(['cap_net_admin', 'cap_sys_admin']);
    expect(sriov.IPAddressDeny?.split(' ').sort()).toEqual(['0.0.0.0/0', '::/0']);
    expect(sriov.IPAddressAllow?.split(' ')).toEqual(expect.arrayContaining(['127.0.0.0/8', '::1/128', '169.254.0.0/16', 'fe80::/64']));
    expect(sriov.RestrictAddressFamilies?.split(' ').sort()).toEqual(['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX']);
    // An exit status of 0 or 1 is the agent's own: a sandbox systemd could not set up ends with 2xx (226/NAMESPACE …).
    expect(['0', '1']).toContain(sriov.ExecMainStatus);
    prove(`${b().scenario.name}: the sriov unit ran under ProtectSystem=strict, PrivateMounts, NoNewPrivileges, CapabilityBoundingSet=${sriov.CapabilityBoundingSet}, IPAddressDeny=any + IPAddressAllow=${sriov.IPAddressAllow}, DevicePolicy=closed; the agent itself exited ${sriov.ExecMainStatus}`);
  });

  it('skipped the qeth unit by ConditionArchitecture=s390x', (ctx) => {
    dumpOnFailure(get)(ctx);
    const qeth = unit(b(), 'boot', QETH);
    expect({ ActiveState: qeth.ActiveState, ConditionResult: qeth.ConditionResult }).toEqual({ ActiveState: 'inactive', ConditionResult: 'no' });
    expect(micro(qeth.ConditionTimestampMonotonic), 'the condition was checked during the boot').toBeGreaterThan(0);
    expect(sectionLines(b().report, 'boot:qeth-status').join('\n')).toContain('ConditionArchitecture=s390x');
    prove(`${b().scenario.name}: ${QETH} skipped (ConditionArchitecture=s390x was not met, checked at ${(micro(qeth.ConditionTimestampMonotonic) / 1e6).toFixed(2)} s)`);
  });

  it(`has no failed unit of the agent${expectedFailed.length ? ` but ${expectedFailed.join(', ')}` : ''}`, (ctx) => {
    dumpOnFailure(get)(ctx);
    const failed = sectionLines(b().report, 'boot:failed').map((line) => line.trim().split(/\s+/)[0] ?? '').filter(Boolean);
    expect(sectionLines(b().report, 'boot:agent-units').join('\n')).toContain(SRIOV);
    expect(failed.filter((name) => name.startsWith('guest-boot-agent'))).toEqual(expectedFailed);
    prove(`${b().scenario.name}: failed units of the agent: ${expectedFailed.join(', ') || 'none'} (failed in the whole system: ${failed.join(', ') || 'none'})`);
  });

  it('`guest-boot-agent show` exits 0 in the booted guest, as text and as --json', (ctx) => {
    dumpOnFailure(get)(ctx);
    const lines = sectionLines(b().report, 'boot:show');
    expect(lines).toContain('show exit 0');
    expect(lines).toContain('show --json exit 0');
    const json = lines.slice(lines.indexOf('show exit 0') + 1, lines.indexOf('show --json exit 0')).join('\n');
    expect(JSON.parse(json)).toMatchObject({ command: 'show' });
    prove(`${b().scenario.name}: guest-boot-agent show and --json show exit 0 on Debian's Node in the booted guest`);
  });
}

describe.skipIf(SKIP)('Debian 12 x86_64 booted under QEMU: the agent in its real place in the boot, under its real sandbox', () => {
  beforeAll(async () => {
    if (MISSING) throw new Error(`the x86_64 boot test cannot run: ${MISSING}. GBA_SKIP_BOOT_TEST=1 skips it where QEMU or root is missing (it says so loudly).`);
    if (!statSync(BUNDLE, { throwIfNoEntry: false })) throw new Error(`${BUNDLE} is missing (npm run test:boot builds it first)`);
    const root = await ensureBootRoot(log);
    log(`${root.built ? 'built and cached' : 'cached'} boot root ${root.tarball} (${root.seconds.toFixed(1)} s)`);
    const made = await ensureBootDisk(root.tarball, log);
    log(`${made.built ? 'made and cached' : 'cached'} disk ${made.image} (${made.seconds.toFixed(1)} s); install --root said: ${made.installOutput.trim().split('\n').at(-1)}`);
    ({ kernel, initrd } = root);
    disk = made.image;
  });

  afterAll(() => {
    if (proved.length > 0) console.log(`\nboot x86_64: what the booted Debian 12 showed\n${proved.map((line) => `  - ${line}`).join('\n')}\n`);
  });

  describe('boot 1: vendor data from the metadata service naming a PF this machine lacks; then `mlnx_sriov: {}`', () => {
    let one: Boot | undefined;
    const get = () => one;
    beforeAll(async () => {
      one = await boot({ name: 'metadata', phases: { 'missing-pf': MISSING_PF_DOCUMENT, empty: EMPTY_DOCUMENT }, first: 'missing-pf', then: 'empty' });
    });

    everyBoot(get, [SRIOV]);

    it("fetched vendor_data2.json exactly once, with the agent's User-Agent, and says where it came from", (ctx) => {
      dumpOnFailure(get)(ctx);
      const fetches = agentFetches(one as Boot, 'missing-pf');
      expect(fetches.map((request) => `${request.userAgent} ${request.status}`)).toEqual([`${AGENT_UA} 200`]);
      expect(runRecord(one as Boot, 'boot').source).toEqual({ kind: 'metadata', where: METADATA_URL });
      const said = agentLines(journal(one as Boot, 'boot:agent-journal')).find((line) => line.text.includes(METADATA_URL) && /\b200\b|bytes|fetched|got|read/i.test(line.text));
      expect(said, 'a journal line naming the metadata URL the document came from').toBeDefined();
      const others = (one as Boot).requests.filter((request) => request.path === VENDOR_DATA_PATH && !request.userAgent.startsWith('guest-boot-agent/'));
      prove(`metadata: one GET ${VENDOR_DATA_PATH} by ${AGENT_UA} (and ${others.length} by ${[...new Set(others.map((request) => request.userAgent.split(' ')[0]))].join(', ') || 'nobody else'}); journal: "${said?.text}"`);
    });

    it('waited for the missing PF within its deadline, then failed with exit 1, naming the GUID asked for and the PFs there are', (ctx) => {
      dumpOnFailure(get)(ctx);
      const sriov = unit(one as Boot, 'boot', SRIOV);
      expect({ ActiveState: sriov.ActiveState, Result: sriov.Result, ExecMainStatus: sriov.ExecMainStatus }).toEqual({ ActiveState: 'failed', Result: 'exit-code', ExecMainStatus: '1' });
      const seconds = (micro(sriov.ExecMainExitTimestampMonotonic) - micro(sriov.ExecMainStartTimestampMonotonic)) / 1e6;
      expect(seconds).toBeLessThan(SRIOV_DEADLINE_S);
      const lines = agentLines(journal(one as Boot, 'boot:agent-journal'));
      // The failure line: the GUID asked for, and the PFs there are (none on this machine).
      const naming = lines.find((line) => hexOnly(line.text).includes(MISSING_PF_GUID) && /\bPFs?\b[^;]*\b(present|exist|there are|found)\b/i.test(line.text) && /\bnone\b/i.test(line.text));
      expect(naming, 'one journal line naming the GUID asked for and the PFs present (none here)').toBeDefined();
      const waiting = lines.find((line) => hexOnly(line.text).includes(MISSING_PF_GUID) && /wait/i.test(line.text));
      expect(waiting, 'the journal says the unit waits for the PF').toBeDefined();
      // It really waited: the unit ran at least as long as the wait its failure line reports.
      const waited = Number(/(\d+(?:\.\d+)?) s\b/.exec(naming?.text ?? '')?.[1] ?? 0);
      expect(seconds).toBeGreaterThanOrEqual(waited);
      prove(`metadata: missing PF ${MISSING_PF_GUID}: "${waiting?.text}"; the unit ran ${seconds.toFixed(1)} s (deadline ${SRIOV_DEADLINE_S} s) and failed with exit 1: "${naming?.text}"`);
    });

    it('re-fetched `mlnx_sriov: {}` within its bound and ended active, warning with both causes', (ctx) => {
      dumpOnFailure(get)(ctx);
      const rerun = sectionLines((one as Boot).report, 'empty:rerun');
      const before = Number(/^before (\d+\.\d+)/.exec(rerun.find((line) => line.startsWith('before')) ?? '')?.[1]);
      const after = Number(/^after (\d+\.\d+)/.exec(rerun.find((line) => line.startsWith('after')) ?? '')?.[1]);
      expect(rerun).toContain('restart exit 0');
      const sriov = unit(one as Boot, 'empty', SRIOV);
      expect({ ActiveState: sriov.ActiveState, Result: sriov.Result, ExecMainStatus: sriov.ExecMainStatus }).toEqual({ ActiveState: 'active', Result: 'success', ExecMainStatus: '0' });
      const fetches = agentFetches(one as Boot, 'empty');
      expect(fetches.length, describeRequests(fetches)).toBeGreaterThanOrEqual(2);
      expect(fetches.every((request) => request.status === 200)).toBe(true);
      const spanSeconds = ((fetches.at(-1)?.atMs ?? 0) - (fetches[0]?.atMs ?? 0)) / 1000;
      expect(after - before).toBeLessThan(SRIOV_DEADLINE_S);
      const lines = agentLines(journal(one as Boot, 'empty:agent-journal')).filter((line) => line.at >= before);
      // The last word of the run: the warning it ended with.
      const warning = lines.findLast((line) => line.text.includes('{}') && /fail/i.test(line.text) && /(disabled|not requested|not enabled|no sr-iov)/i.test(line.text));
      expect(warning, 'a warning naming both causes of `{}`').toBeDefined();
      prove(`metadata, by hand after boot: \`mlnx_sriov: {}\` fetched ${fetches.length} times over ${spanSeconds.toFixed(1)} s (run ${(after - before).toFixed(1)} s), unit active: "${warning?.text}"`);
    });
  });

  for (const [kind, device, document, verdict] of [
    ['iso', '/dev/sr0', DISABLED_DOCUMENT, /enable_sriov is false/],
    ['vfat', '/dev/vdb', NO_SRIOV_DOCUMENT, /no mlnx_sriov/],
  ] as const) {
    describe(`boot ${kind === 'iso' ? 2 : 3}: a config drive, ${kind === 'iso' ? 'iso9660 on a CD' : 'vfat on a disk'}, labelled config-2`, () => {
      let one: Boot | undefined;
      const get = () => one;
      beforeAll(async () => {
        // The metadata service serves a document that would fail the unit: asking it would show.
        one = await boot({ name: `config-drive-${kind}`, phases: { 'missing-pf': MISSING_PF_DOCUMENT }, first: 'missing-pf', drive: { kind, vendorData2: document } });
      });

      everyBoot(get, []);

      it('mounted the drive and read it in its sandbox; the metadata service was not asked; nothing stays mounted', (ctx) => {
        dumpOnFailure(get)(ctx);
        const b = one as Boot;
        expect(agentFetches(b, 'missing-pf'), describeRequests(b.requests)).toEqual([]);
        const sriov = unit(b, 'boot', SRIOV);
        expect({ ActiveState: sriov.ActiveState, Result: sriov.Result, ExecMainStatus: sriov.ExecMainStatus }).toEqual({ ActiveState: 'active', Result: 'success', ExecMainStatus: '0' });
        expect(runRecord(b, 'boot').source).toEqual({ kind: 'config-drive', where: device });
        const lines = agentLines(journal(b, 'boot:agent-journal'));
        expect(lines.some((line) => verdict.test(line.text)), `the journal gives the drive's document's verdict (${verdict})`).toBe(true);
        const said = lines.find((line) => line.text.includes(device) || /config-2/i.test(line.text));
        expect(said, `a journal line naming the config drive (${device} or config-2) the document came from`).toBeDefined();
        const state = sectionLines(b.report, 'boot:state');
        const mountinfo = state.slice(state.indexOf('--- mountinfo') + 1, state.indexOf('--- /run/guest-boot-agent'));
        expect(mountinfo.filter((line) => line.includes(device) || line.includes('/run/guest-boot-agent/'))).toEqual([]);
        const runDir = state.slice(state.indexOf('--- /run/guest-boot-agent') + 1, state.indexOf('--- sriov.json'));
        expect(runDir.filter((line) => line.includes('config-drive'))).toEqual([]);
        expect(state.slice(state.indexOf('--- blkid')).join('\n'), 'the drive was there, labelled config-2').toMatch(new RegExp(`${device}:.*LABEL="config-2"`));
        prove(`config drive ${kind} ${device}: read by the unit (run record source config-drive ${device}), metadata service asked ${b.requests.length} times in all and never by the agent, nothing left mounted; journal: "${said?.text}"`);
      });
    });
  }
});
