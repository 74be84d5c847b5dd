// The simulator must enforce the kernel's qeth rules (reference qeth-sysfs.md §9), or tests against it prove
// nothing. Each rule is driven through the Host, as the agent would, and checked on the kernel's final state.
import { describe, expect, it } from 'vitest';
import { hipersocketsTriple, osa, osaTriple, preGrouped, preOnline, simQeth } from './scenario.js';

const GROUP = '/sys/bus/ccwgroup/drivers/qeth/group';
const attr = (id: string, name: string) => `/sys/bus/ccwgroup/devices/${id}/${name}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const ip = (...args: string[]) => ['ip', ['link', 'set', 'dev', ...args], { timeoutMs: 1000 }] as const;

describe('group (§1.1, §1.2): every failure is EINVAL', () => {
  const devices = [osaTriple('0.0.0001'), osaTriple('0.0.0004', { cutype: '1731/05' }), osa('0.0.0007'), osa('0.0.0008', { driver: 'ctcm' }), osa('0.0.0009', { driver: null })];
  it.each([
    ['two ids', '0.0.0001,0.0.0002'],
    ['four ids (trailing stuff)', '0.0.0001,0.0.0002,0.0.0003,0.0.0007'],
    ['a malformed id', '0.0.0001,0.0.0002,zz'],
    ['an id longer than 9 characters', '0.0.0001,0.0.0002,0.0.00003'],
    ['a device that does not exist', '0.0.0001,0.0.0002,0.0.0010'],
    ['a device hidden by cio_ignore', '0.0.0001,0.0.0002,0.0.0011'],
    ['the same id twice', '0.0.0001,0.0.0002,0.0.0001'],
    ['mixed CU types (OSD with IQD)', '0.0.0001,0.0.0002,0.0.0004'],
    ['a device bound to another driver', '0.0.0001,0.0.0002,0.0.0008'],
    ['a device with no driver', '0.0.0001,0.0.0002,0.0.0009'],
  ])('refuses %s', async (_case, value) => {
    const { kernel, host } = simQeth({ devices: [...devices, osa('0.0.0011')], ignored: ['0.0.0011'], moduleLoaded: true });
    await expect(host.sysfs.write(GROUP, value)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(kernel.group('0.0.0001')).toBeUndefined();
    expect(kernel.writes).toEqual([{ path: GROUP, value, errno: 'EINVAL' }]);
  });

  it('refuses an already grouped device, and a group of devices qeth is not the driver of', async () => {
    const { host } = simQeth({ devices: [osaTriple('0.0.0001', { group: preGrouped() }), osa('0.0.0004'), osa('0.0.0005'), osaTriple('0.0.0006', { driver: 'ctcm' })], moduleLoaded: true });
    await expect(host.sysfs.write(GROUP, '0.0.0004,0.0.0005,0.0.0003')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(host.sysfs.write(GROUP, '0.0.0006,0.0.0007,0.0.0008')).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it.each([
    ['echo\'s newline', '0.0.0001,0.0.0002,0.0.0003\n'],
    ['upper case', '0.0.0001,0.0.0002,0.0.0003'.toUpperCase()],
    ['short devnos (sscanf is lenient)', '0.0.1,0.0.2,0.0.3'],
    ['a trailing comma (the kernel sees an empty rest)', '0.0.0001,0.0.0002,0.0.0003,'],
  ])('accepts %s', async (_case, value) => {
    const { kernel, host } = simQeth({ devices: [osaTriple('0.0.0001')], moduleLoaded: true });
    await host.sysfs.write(GROUP, value);
    expect(kernel.group('0.0.0001')?.members).toEqual(['0.0.0001', '0.0.0002', '0.0.0003']);
  });

  it('creates the device of §1.4: attributes, cdev/driver/subsystem links, bus links, group_device; no net/ yet', async () => {
    const { host } = simQeth({ devices: [osaTriple('0.0.0001', { chpid: '1a' })], moduleLoaded: true });
    await host.sysfs.write(GROUP, '0.0.0001,0.0.0002,0.0.0003');
    expect(await host.sysfs.readlink('/sys/bus/ccwgroup/devices/0.0.0001')).toBe('../../../devices/qeth/0.0.0001');
    expect(await host.sysfs.readlink('/sys/bus/ccwgroup/drivers/qeth/0.0.0001')).toBe('../../../../devices/qeth/0.0.0001');
    expect(await host.sysfs.readlink(attr('0.0.0001', 'cdev2'))).toBe('../../css0/0.0.0002/0.0.0003');
    expect(await host.sysfs.read(attr('0.0.0001', 'cdev2/cutype'))).toBe('1731/01');
    expect(await host.sysfs.readlink('/sys/bus/ccw/devices/0.0.0003/group_device')).toBe('../../../qeth/0.0.0001');
    expect(await host.sysfs.list(attr('0.0.0001', 'driver'))).toContain('group');
    expect(await host.sysfs.list(attr('0.0.0001', 'subsystem/devices'))).toEqual(['0.0.0001']);
    const values = await Promise.all(['online', 'layer2', 'portno', 'card_type', 'chpid', 'if_name', 'state'].map((name) => host.sysfs.read(attr('0.0.0001', name))));
    expect(values).toEqual(['0', '-1', '0', 'OSD_10GIG', '1A', '(unnamed net_device)', 'DOWN']);
    expect(await host.sysfs.exists(attr('0.0.0001', 'net'))).toBe(false);
    await expect(host.sysfs.read(attr('0.0.0001', 'ungroup'))).rejects.toMatchObject({ code: 'EACCES' });
  });
});

describe('online (§2.3)', () => {
  it('blocks for the latency and reads 0 until done; members go online; EINVAL when already in that state', async () => {
    const { kernel, host } = simQeth({ devices: [osaTriple('0.0.0001', { group: preGrouped() })], moduleLoaded: true, onlineLatencyMs: 100 });
    await expect(host.sysfs.write(attr('0.0.0001', 'online'), '0')).rejects.toMatchObject({ code: 'EINVAL' });
    for (const bad of ['2', 'yes', '1 ', '']) await expect(host.sysfs.write(attr('0.0.0001', 'online'), bad)).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(host.sysfs.write(attr('0.0.0001', 'online'), '99999999999999999999')).rejects.toMatchObject({ code: 'ERANGE' });
    const started = performance.now();
    const pending = host.sysfs.write(attr('0.0.0001', 'online'), '0x1\n');
    expect(await host.sysfs.read(attr('0.0.0001', 'online'))).toBe('0');
    expect(await host.sysfs.read('/sys/bus/ccw/devices/0.0.0002/online')).toBe('1');
    await pending;
    expect(performance.now() - started).toBeGreaterThanOrEqual(95);
    expect(await host.sysfs.read(attr('0.0.0001', 'online'))).toBe('1');
    await expect(host.sysfs.write(attr('0.0.0001', 'online'), '1')).rejects.toMatchObject({ code: 'EINVAL' });
    expect(kernel.group('0.0.0001')).toMatchObject({ online: true, layer2: 1, state: 'SOFTSETUP' });
    expect(kernel.uevents).toContainEqual({ action: 'change', devpath: '/devices/qeth/0.0.0001' });
  });

  it('serialises a second writer (device_lock): it waits, then gets EINVAL; ungroup meanwhile gets EAGAIN', async () => {
    const { host } = simQeth({ devices: [osaTriple('0.0.0001', { group: preGrouped() })], moduleLoaded: true, onlineLatencyMs: 50 });
    const first = host.sysfs.write(attr('0.0.0001', 'online'), '1');
    await sleep(10); // the first online is now blocked in hardsetup
    const second = host.sysfs.write(attr('0.0.0001', 'online'), '1');
    await expect(host.sysfs.write(attr('0.0.0001', 'ungroup'), '1')).rejects.toMatchObject({ code: 'EAGAIN' });
    await first;
    await expect(second).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('fails with an injected ENODEV after the latency, members back offline; the next try works', async () => {
    const { kernel, host } = simQeth({ devices: [osaTriple('0.0.0001', { group: preGrouped() })], moduleLoaded: true });
    kernel.inject({ path: '0.0.0001', op: 'online', errno: 'ENODEV', times: 1 });
    await expect(host.sysfs.write(attr('0.0.0001', 'online'), '1')).rejects.toMatchObject({ code: 'ENODEV' });
    expect(kernel.ccw('0.0.0002')).toMatchObject({ online: false });
    expect(kernel.group('0.0.0001')).toMatchObject({ online: false, netdev: null });
    await host.sysfs.write(attr('0.0.0001', 'online'), '1');
    expect(kernel.group('0.0.0001')?.online).toBe(true);
  });

  it('defaults HiperSockets to layer 3 and registers hsi0, which refuses a MAC change (no ndo: EOPNOTSUPP)', async () => {
    const { kernel, host } = simQeth({ devices: [hipersocketsTriple('0.0.7000', { group: preGrouped() })], moduleLoaded: true, rename: { mode: 'never' } });
    await host.sysfs.write(attr('0.0.7000', 'online'), '1');
    expect(kernel.group('0.0.7000')).toMatchObject({ layer2: 0, netdev: 'hsi0', cardType: 'HiperSockets' });
    expect(await host.exec(...ip('hsi0', 'address', '02:00:00:00:00:01'))).toMatchObject({ exitCode: 2, stderr: 'RTNETLINK answers: Operation not supported\n' });
  });

  it('EINVAL when the discipline module cannot be loaded (not in the initramfs)', async () => {
    const { kernel, host } = simQeth({ devices: [osaTriple('0.0.0001', { group: preGrouped() })], moduleLoaded: true, missingModules: ['qeth_l2'] });
    await expect(host.sysfs.write(attr('0.0.0001', 'online'), '1')).rejects.toMatchObject({ code: 'EINVAL' });
    expect(kernel.dmesg).toContain('qeth 0.0.0001: There is no kernel module to support discipline 1');
  });

  it('brings 12 devices with 300 ms latency online concurrently, in well under 12 × 300 ms', async () => {
    const reads = Array.from({ length: 12 }, (_, i) => `0.0.${(1 + 3 * i).toString(16).padStart(4, '0')}`);
    const { kernel, host } = simQeth({ devices: reads.map((read) => osaTriple(read, { group: preGrouped() })), moduleLoaded: true, onlineLatencyMs: 300 });
    const started = performance.now();
    await Promise.all(reads.map((read) => host.sysfs.write(attr(read, 'online'), '1')));
    expect(performance.now() - started).toBeLessThan(12 * 300 * 0.4);
    expect(reads.every((read) => kernel.group(read)?.online)).toBe(true);
  });
});

describe('the interface (§2.4, §2.5, §5)', () => {
  it('registers eth0 under the group on the first online, then udev renames it to enc1 asynchronously', async () => {
    const { kernel, host } = simQeth({ devices: [osaTriple('0.0.0001', { group: preGrouped() })], moduleLoaded: true, renameDelayMs: 40 });
    await host.sysfs.write(attr('0.0.0001', 'online'), '1');
    expect(await host.sysfs.list(attr('0.0.0001', 'net'))).toEqual(['eth0']);
    expect(await host.sysfs.readlink('/sys/class/net/eth0')).toBe('../../devices/qeth/0.0.0001/net/eth0');
    await sleep(80);
    expect(await host.sysfs.list(attr('0.0.0001', 'net'))).toEqual(['enc1']);
    expect(await host.sysfs.exists('/sys/class/net/eth0')).toBe(false);
    expect(await host.sysfs.readlink('/sys/class/net/enc1/device')).toBe('../../../0.0.0001');
    expect(await host.sysfs.read('/sys/class/net/enc1/device/if_name')).toBe('enc1');
    expect(await host.sysfs.read('/sys/class/net/enc1/type')).toBe('1');
    expect(kernel.netdev('enc1')).toMatchObject({ attached: true, parent: '/sys/devices/qeth/0.0.0001' });
  });

  it('races udev in on-first-ip mode: the ip call on the kernel name finds the device renamed', async () => {
    const { host } = simQeth({ devices: [osaTriple('0.0.0001', { group: preGrouped() })], moduleLoaded: true, rename: { mode: 'on-first-ip' } });
    await host.sysfs.write(attr('0.0.0001', 'online'), '1');
    expect(await host.sysfs.list(attr('0.0.0001', 'net'))).toEqual(['eth0']);
    expect(await host.exec(...ip('eth0', 'address', '0a:00:00:00:00:01'))).toEqual({ exitCode: 1, stdout: '', stderr: 'Cannot find device "eth0"\n' });
    expect(await host.exec(...ip('enc1', 'address', '0a:00:00:00:00:01'))).toMatchObject({ exitCode: 0 });
    expect(await host.sysfs.read('/sys/class/net/enc1/address')).toBe('0a:00:00:00:00:01');
  });

  it('keeps the interface detached after offline (ENODEV for a MAC), re-attaches it on online, drops it on ungroup', async () => {
    const { kernel, host } = simQeth({ devices: [osaTriple('0.0.0001', { group: preOnline({ portno: 1 }) })], moduleLoaded: true });
    await host.sysfs.write(attr('0.0.0001', 'online'), '0');
    expect(kernel.netdev('enc1')).toMatchObject({ attached: false });
    expect(await host.exec(...ip('enc1', 'address', '0a:00:00:00:00:01'))).toMatchObject({ exitCode: 2, stderr: 'RTNETLINK answers: No such device\n' });
    await host.sysfs.write(attr('0.0.0001', 'online'), '1');
    expect(await host.exec(...ip('enc1', 'address', '0a:00:00:00:00:01'))).toMatchObject({ exitCode: 0 });
    await expect(host.sysfs.write(attr('0.0.0001', 'ungroup'), '1')).rejects.toMatchObject({ code: 'EINVAL' });
    await host.sysfs.write(attr('0.0.0001', 'online'), '0');
    await host.sysfs.write(attr('0.0.0001', 'ungroup'), '\n');
    expect([kernel.group('0.0.0001'), kernel.netdev('enc1'), kernel.ccw('0.0.0001')?.group]).toEqual([undefined, undefined, null]);
    expect(await host.sysfs.exists('/sys/bus/ccw/devices/0.0.0001/group_device')).toBe(false);
  });

  it('refuses multicast and zero MACs (EADDRNOTAVAIL) and passes on an adapter refusal (EADDRINUSE)', async () => {
    const { kernel, host } = simQeth({ devices: [osaTriple('0.0.0001', { group: preOnline() })], moduleLoaded: true });
    expect(await host.exec(...ip('enc1', 'address', '01:00:5e:00:00:01'))).toMatchObject({ exitCode: 2, stderr: 'RTNETLINK answers: Cannot assign requested address\n' });
    expect(await host.exec(...ip('enc1', 'address', '00:00:00:00:00:00'))).toMatchObject({ exitCode: 2 });
    kernel.inject({ path: 'enc1', op: 'set-mac', errno: 'EADDRINUSE', times: 1 });
    expect(await host.exec(...ip('enc1', 'address', '0A:00:00:00:00:02'))).toMatchObject({ exitCode: 2, stderr: 'RTNETLINK answers: Address already in use\n' });
    expect(await host.exec(...ip('enc1', 'address', '0A:00:00:00:00:02', 'up'))).toMatchObject({ exitCode: 0 });
    expect(kernel.netdev('enc1')).toMatchObject({ mac: '0a:00:00:00:00:02', up: true });
    expect(kernel.group('0.0.0001')?.state).toBe('UP (LAN ONLINE)');
  });
});

describe('offline-only attributes (§2.1, §2.2)', () => {
  it('portno: base 16; > 15 EINVAL even online (checked first); EPERM online; beyond the port count EINVAL', async () => {
    const { kernel, host } = simQeth({ devices: [osaTriple('0.0.0001', { group: preOnline() }), osaTriple('0.0.0004', { group: preGrouped() })], moduleLoaded: true });
    await expect(host.sysfs.write(attr('0.0.0001', 'portno'), '10')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(host.sysfs.write(attr('0.0.0001', 'portno'), '1')).rejects.toMatchObject({ code: 'EPERM' });
    await expect(host.sysfs.write(attr('0.0.0004', 'portno'), '2')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(host.sysfs.write(attr('0.0.0004', 'portno'), 'x')).rejects.toMatchObject({ code: 'EINVAL' });
    await host.sysfs.write(attr('0.0.0004', 'portno'), '0x1\n');
    expect(kernel.group('0.0.0004')?.portno).toBe(1);
  });

  it('a write during an online waits for it, then fails EPERM', async () => {
    const { host } = simQeth({ devices: [osaTriple('0.0.0001', { group: preGrouped() })], moduleLoaded: true, onlineLatencyMs: 50 });
    const online = host.sysfs.write(attr('0.0.0001', 'online'), '1');
    await sleep(10);
    await expect(host.sysfs.write(attr('0.0.0001', 'portno'), '1')).rejects.toMatchObject({ code: 'EPERM' });
    await online;
  });

  it('layer2: 0/1 only (EINVAL first), EPERM online, same value a no-op, a switch drops the interface', async () => {
    const { kernel, host } = simQeth({ devices: [osaTriple('0.0.0001', { group: preOnline() })], moduleLoaded: true });
    await expect(host.sysfs.write(attr('0.0.0001', 'layer2'), '2')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(host.sysfs.write(attr('0.0.0001', 'layer2'), '1')).rejects.toMatchObject({ code: 'EPERM' });
    await host.sysfs.write(attr('0.0.0001', 'online'), '0');
    await host.sysfs.write(attr('0.0.0001', 'layer2'), '1');
    expect(kernel.netdev('enc1')).toBeDefined();
    await host.sysfs.write(attr('0.0.0001', 'layer2'), '0');
    expect([kernel.netdev('enc1'), kernel.group('0.0.0001')?.layer2]).toEqual([undefined, 0]);
  });

  it('layer2 enforced at group time (z/VM NIC): reads it at once; the other value is EOPNOTSUPP, the same one fine', async () => {
    const { host } = simQeth({ devices: [osaTriple('0.0.0600')], moduleLoaded: true, enforcedLayer: { '0.0.0600': 0 } });
    await host.sysfs.write(GROUP, '0.0.0600,0.0.0601,0.0.0602');
    expect(await host.sysfs.read(attr('0.0.0600', 'layer2'))).toBe('0');
    await expect(host.sysfs.write(attr('0.0.0600', 'layer2'), '1')).rejects.toMatchObject({ code: 'EOPNOTSUPP' });
    await host.sysfs.write(attr('0.0.0600', 'layer2'), '0');
  });

  it('buffer_count is clamped to 8..128; portname accepts and ignores anything', async () => {
    const { kernel, host } = simQeth({ devices: [osaTriple('0.0.0001', { group: preGrouped() })], moduleLoaded: true });
    await host.sysfs.write(attr('0.0.0001', 'buffer_count'), '500');
    expect(kernel.group('0.0.0001')?.bufferCount).toBe(128);
    await host.sysfs.write(attr('0.0.0001', 'portname'), 'anything');
    expect(await host.sysfs.read(attr('0.0.0001', 'portname'))).toBe('no portname required');
  });
});
