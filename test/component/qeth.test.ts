// qeth boot mode end to end through the CLI, against the simulated kernel; assertions on the kernel's final state.
import { describe, expect, it } from 'vitest';
import { runAgent } from '../helpers/run-agent.js';
import { osa, osaTriple, simQeth } from '../sim/scenario.js';
import type { SimHost } from '../sim/sim-host.js';

const two = [...osaTriple('0001'), ...osaTriple('0004')];
const CMDLINE = 'root=/dev/dasda1 0001,1,0a0000000011;0004,0;';

/** Groups and configures a device through the sim host directly: the state something else left behind. */
async function preconfigure(host: SimHost, read: string, settings: { portno: number; online: boolean }) {
  const [r, w, d] = osaTriple(read).map((spec) => spec.busId);
  await host.sysfs.write('/sys/bus/ccwgroup/drivers/qeth/group', `${r},${w},${d}`);
  await host.sysfs.write(`/sys/bus/ccwgroup/devices/${r}/layer2`, '1');
  await host.sysfs.write(`/sys/bus/ccwgroup/devices/${r}/portno`, String(settings.portno));
  if (settings.online) await host.sysfs.write(`/sys/bus/ccwgroup/devices/${r}/online`, '1');
  host.writes.length = 0;
}

describe('qeth on the simulated kernel', () => {
  it('groups, configures and brings up fresh devices, and sets the MAC once udev renamed the interface', async () => {
    const { kernel, host } = simQeth({ devices: two, moduleLoaded: true, cmdline: CMDLINE });
    const run = await runAgent(host, ['qeth']);
    expect(run.code).toBe(0);
    expect(kernel.group('0.0.0001')).toMatchObject({ members: ['0.0.0001', '0.0.0002', '0.0.0003'], online: true, layer2: 1, portno: 1 });
    expect(kernel.group('0.0.0004')).toMatchObject({ online: true, layer2: 1, portno: 0 });
    expect(kernel.netdevOf('0.0.0001')).toMatchObject({ name: 'enc1', mac: '0a:00:00:00:00:11' });
    expect(run.lines).toContain('<6>0.0.0001: configured');
    const record = JSON.parse((await host.files.read('/run/guest-boot-agent/qeth.json'))!);
    expect(record).toMatchObject({ command: 'qeth', exitCode: 0, results: [{ target: '0.0.0001', ok: true }, { target: '0.0.0004', ok: true }] });
  });

  it('loads the missing qeth module once for all devices', async () => {
    const { kernel, host } = simQeth({ devices: two, moduleLoaded: false, cmdline: CMDLINE, modprobeLatencyMs: 50 });
    const run = await runAgent(host, ['qeth']);
    expect(run.code).toBe(0);
    expect(kernel.isModuleLoaded()).toBe(true);
    expect(host.execs.filter(([file]) => file === 'modprobe')).toEqual([['modprobe', '-a', 'qeth', 'qeth_l2']]);
    expect(kernel.modules.isLoaded('qeth_l2')).toBe(true);
    expect(kernel.group('0.0.0004')?.online).toBe(true);
  });

  it('fails every device with one line each when modprobe fails, and exits 1', async () => {
    const { host } = simQeth({ devices: two, moduleLoaded: false, modprobeFails: true, cmdline: CMDLINE });
    const run = await runAgent(host, ['qeth']);
    expect(run.code).toBe(1);
    expect(run.lines.some((line) => line.startsWith('<3>qeth-driver: run modprobe -a qeth qeth_l2 failed: exit code 1: modprobe: FATAL'))).toBe(true);
    expect(run.lines).toContain('<3>0.0.0001: cannot be configured: the qeth driver is not available (modprobe qeth failed; see above)');
  });

  it('frees devices hidden by cio_ignore in one write, settles, and configures them', async () => {
    const { kernel, host } = simQeth({ devices: two, moduleLoaded: true, ignored: ['0.0.0000-0.0.00ff'], appearDelayMs: 50, cmdline: CMDLINE });
    const run = await runAgent(host, ['qeth']);
    expect(run.code).toBe(0);
    expect(host.writes.filter((w) => w.path === '/proc/cio_ignore')).toEqual([{ path: '/proc/cio_ignore', value: 'free 0.0.0001,0.0.0002,0.0.0003,0.0.0004,0.0.0005,0.0.0006' }]);
    expect(kernel.isIgnored('0.0.0000')).toBe(true);
    expect(kernel.group('0.0.0004')?.online).toBe(true);
  });

  it('takes the next free device on the CHPID as data when read+2 is on another CHPID', async () => {
    const devices = [{ busId: '0.0.0001' }, { busId: '0.0.0002' }, { busId: '0.0.0003', chpid: '12' }, { busId: '0.0.0005' }];
    const { kernel, host } = simQeth({ devices, moduleLoaded: true, cmdline: '0001,0;' });
    expect((await runAgent(host, ['qeth'])).code).toBe(0);
    expect(kernel.group('0.0.0001')?.members).toEqual(['0.0.0001', '0.0.0002', '0.0.0005']);
  });

  it('only brings an already grouped, offline device online', async () => {
    const { kernel, host } = simQeth({ devices: two, moduleLoaded: true, cmdline: '0001,1;' });
    await preconfigure(host, '0001', { portno: 1, online: false });
    expect((await runAgent(host, ['qeth'])).code).toBe(0);
    expect(host.writes).toEqual([{ path: '/sys/bus/ccwgroup/devices/0.0.0001/online', value: '1' }]);
    expect(kernel.group('0.0.0001')?.online).toBe(true);
  });

  it('retries the MAC once when udev renames the interface under it', async () => {
    const { kernel, host } = simQeth({ devices: two, moduleLoaded: true, rename: { mode: 'on-first-ip' }, cmdline: '0001,1,0a0000000011;' });
    const run = await runAgent(host, ['qeth']);
    expect(run.code).toBe(0);
    expect(host.execs.filter(([file]) => file === 'ip').map((argv) => argv[4])).toEqual(['eth0', 'enc1']);
    expect(run.lines).toContain('<4>0.0.0001: {netdev} was renamed eth0 → enc1 meanwhile; retrying once');
    expect(kernel.netdevOf('0.0.0001')).toMatchObject({ name: 'enc1', mac: '0a:00:00:00:00:11' });
  });

  it('writes nothing at all for a device that is already online and configured', async () => {
    const { kernel, host } = simQeth({ devices: two, moduleLoaded: true, rename: { mode: 'delay', ms: 0 }, cmdline: '0001,1,0a0000000011;' });
    await preconfigure(host, '0001', { portno: 1, online: true });
    await new Promise((resolve) => setTimeout(resolve, 20));
    kernel.setMac('enc1', '0a:00:00:00:00:11');
    const run = await runAgent(host, ['qeth']);
    expect(run.code).toBe(0);
    expect(host.writes).toEqual([]);
    expect(host.execs).toEqual([]);
    expect(run.lines).toContain('<6>0.0.0001: already configured; nothing changed');
  });

  it('reports an online device with another port and leaves it alone (exit 1)', async () => {
    const { kernel, host } = simQeth({ devices: two, moduleLoaded: true, cmdline: '0001,1;0004,0;' });
    await preconfigure(host, '0001', { portno: 0, online: true });
    const run = await runAgent(host, ['qeth']);
    expect(run.code).toBe(1);
    expect(run.lines).toContain('<3>0.0.0001: cannot be configured: online with portno=0 layer2=1, the cmdline wants portno=1 layer2=1; not disrupting a running interface (--force reconfigures it)');
    expect(host.writes.filter((w) => w.path.includes('0.0.0001'))).toEqual([]);
    expect(kernel.group('0.0.0001')).toMatchObject({ online: true, portno: 0 });
    expect(kernel.group('0.0.0004')?.online).toBe(true);
  });

  it('reconfigures that device with --force: offline, portno, online', async () => {
    const { kernel, host } = simQeth({ devices: two, moduleLoaded: true, cmdline: '0001,1;' });
    await preconfigure(host, '0001', { portno: 0, online: true });
    expect((await runAgent(host, ['qeth', '--force'])).code).toBe(0);
    expect(host.writes.map((w) => `${w.path.split('/').pop()}=${w.value}`)).toEqual(['online=0', 'portno=1', 'online=1']);
    expect(kernel.group('0.0.0001')).toMatchObject({ online: true, portno: 1 });
  });

  it('keeps going when one device fails (EIO on online), exits 1, and a re-run converges', async () => {
    const { kernel, host } = simQeth({ devices: two, moduleLoaded: true, cmdline: CMDLINE });
    host.inject({ path: '/sys/bus/ccwgroup/devices/0.0.0004/online', op: 'write', errno: 'EIO', times: 1 });
    const first = await runAgent(host, ['qeth']);
    expect(first.code).toBe(1);
    expect(first.lines.some((line) => line.startsWith('<3>0.0.0004: write "1" > /sys/bus/ccwgroup/devices/0.0.0004/online failed:') && line.includes('EIO'))).toBe(true);
    expect(kernel.group('0.0.0001')?.online).toBe(true);
    expect(kernel.group('0.0.0004')?.online).toBe(false);
    const second = await runAgent(host, ['qeth']);
    expect(second.code).toBe(0);
    expect(kernel.group('0.0.0004')?.online).toBe(true);
    expect(host.writes.filter((w) => w.path.endsWith('/group'))).toHaveLength(2);
  });

  it('fails a device whose CU type is not qeth, with the reason, and configures the other', async () => {
    const devices = [...osaTriple('0001', { cutype: '3088/08' }), ...osaTriple('0004')];
    const { kernel, host } = simQeth({ devices, moduleLoaded: true, cmdline: CMDLINE });
    const run = await runAgent(host, ['qeth']);
    expect(run.code).toBe(1);
    expect(run.lines).toContain('<3>0.0.0001: cannot be configured: 0.0.0001 has CU type 3088/08, not a qeth device (1731/01 OSA, 1731/05 HiperSockets)');
    expect(kernel.group('0.0.0004')?.online).toBe(true);
  });

  it('changes nothing with --dry-run and prints the plan', async () => {
    const { kernel, host } = simQeth({ devices: two, moduleLoaded: false, ignored: ['0.0.0004-0.0.0006'], cmdline: CMDLINE });
    const run = await runAgent(host, ['qeth', '--dry-run']);
    expect(run.code).toBe(0);
    expect(host.writes).toEqual([]);
    expect(host.execs).toEqual([]);
    expect(run.stdout).toContain('run modprobe -a qeth qeth_l2');
    expect(kernel.isModuleLoaded()).toBe(false);
  });

  it('brings 12 devices with 0.3 s online latency up in parallel, well under 12 × 0.3 s', async () => {
    const reads = Array.from({ length: 12 }, (_, i) => (1 + 3 * i).toString(16).padStart(4, '0'));
    const { kernel, host } = simQeth({ devices: reads.flatMap((read) => osaTriple(read)), moduleLoaded: true, onlineLatencyMs: 300, cmdline: reads.map((read) => `${read},0;`).join('') });
    const run = await runAgent(host, ['qeth']);
    expect(run.code).toBe(0);
    expect(reads.every((read) => kernel.group(`0.0.${read}`)?.online)).toBe(true);
    expect(run.elapsedMs).toBeLessThan(12 * 300 * 0.5);
  });
});

describe('cio_ignore hygiene (DESIGN §4 step 3)', () => {
  it('frees nothing next to a visible read device that is not OSA or HiperSockets', async () => {
    // 0001 is a visible DASD; 0002/0003 hidden on purpose by the administrator.
    const devices = [{ busId: '0.0.0001', cutype: '3990/e9', devtype: '3390/0c', driver: null }, osa('0.0.0002'), osa('0.0.0003')];
    const { host } = simQeth({ devices, moduleLoaded: true, ignored: ['0.0.0002-0.0.0003'], cmdline: '0001,0;' });
    const run = await runAgent(host, ['qeth']);
    expect(run.code).toBe(1);
    expect(host.writes.filter((w) => w.path === '/proc/cio_ignore')).toEqual([]);
    expect(await host.sysfs.read('/proc/cio_ignore')).toBe('0.0.0002-0.0.0003');
    expect(run.lines).toContain('<3>0.0.0001: cannot be configured: 0.0.0001 has CU type 3990/e9, not a qeth device (1731/01 OSA, 1731/05 HiperSockets); 0.0.0002, 0.0.0003 stay hidden by cio_ignore (nothing freed for it)');
  });

  it('hides again, after the run, a device it freed but did not group; logs both', async () => {
    // 0003 sits on another CHPID, so the data device is 0004 (same CHPID, visible); 0003 was freed for nothing.
    const devices = [osa('0.0.0001'), osa('0.0.0002'), osa('0.0.0003', { chpid: '22' }), osa('0.0.0004')];
    const { kernel, host } = simQeth({ devices, moduleLoaded: true, ignored: ['0.0.0000-0.0.0003'], cmdline: '0001,0;' });
    const run = await runAgent(host, ['qeth', '--json']);
    expect(run.code).toBe(0);
    expect(kernel.group('0.0.0001')).toMatchObject({ members: ['0.0.0001', '0.0.0002', '0.0.0004'], online: true });
    expect(host.writes.filter((w) => w.path === '/proc/cio_ignore').map((w) => w.value)).toEqual(['free 0.0.0001,0.0.0002,0.0.0003', 'add 0.0.0003']);
    expect(await host.sysfs.read('/proc/cio_ignore')).toMatch(/^0\.0\.0000\n0\.0\.0003$/);
    expect(run.lines.some((line) => line.startsWith('<6>cio_ignore: write "free 0.0.0001,0.0.0002,0.0.0003" > /proc/cio_ignore'))).toBe(true);
    expect(run.lines.some((line) => line.startsWith('<6>cio_ignore: write "add 0.0.0003" > /proc/cio_ignore (freed by this run but not grouped'))).toBe(true);
    const doc = JSON.parse(run.stdout);
    expect(doc.actions.at(-1)).toMatchObject({ op: 'write', target: 'cio_ignore', path: '/proc/cio_ignore', value: 'add 0.0.0003' });
  });

  it('hides again everything it freed when the device could not be grouped', async () => {
    const devices = [osa('0.0.0001'), osa('0.0.0002'), osa('0.0.0003', { chpid: '22' })];
    const { host } = simQeth({ devices, moduleLoaded: true, ignored: ['0.0.0001-0.0.0003'], cmdline: '0001,0;' });
    const run = await runAgent(host, ['qeth']);
    expect(run.code).toBe(1);
    expect(host.writes.filter((w) => w.path === '/proc/cio_ignore').map((w) => w.value)).toEqual(['free 0.0.0001,0.0.0002,0.0.0003', 'add 0.0.0001,0.0.0002,0.0.0003']);
    expect(await host.sysfs.read('/proc/cio_ignore')).toBe('0.0.0001-0.0.0003');
  });
});
