// The simulator must enforce the kernel's rules (reference qeth §9), or tests against it prove nothing.
import { describe, expect, it } from 'vitest';
import { osaTriple, simQeth } from './scenario.js';

const GROUP = '/sys/bus/ccwgroup/drivers/qeth/group';
const online = (id: string) => `/sys/bus/ccwgroup/devices/${id}/online`;

describe('simulated qeth kernel', () => {
  it.each([
    ['two ids', '0.0.0001,0.0.0002'],
    ['four ids', '0.0.0001,0.0.0002,0.0.0003,0.0.0004'],
    ['a malformed id', '0.0.0001,0.0.0002,zz'],
    ['a missing device', '0.0.0001,0.0.0002,0.0.0009'],
    ['a duplicate id', '0.0.0001,0.0.0002,0.0.0001'],
  ])('refuses a group write with %s: EINVAL', async (_name, value) => {
    const { host } = simQeth({ devices: osaTriple('0001'), moduleLoaded: true });
    await expect(host.sysfs.write(GROUP, value)).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('refuses grouping a hidden device, an already grouped one, and mixed CU types: EINVAL', async () => {
    const { host } = simQeth({ devices: [...osaTriple('0001'), ...osaTriple('0004', { cutype: '1731/05' })], moduleLoaded: true, ignored: ['0.0.0003'] });
    await expect(host.sysfs.write(GROUP, '0.0.0001,0.0.0002,0.0.0003')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(host.sysfs.write(GROUP, '0.0.0001,0.0.0002,0.0.0004')).rejects.toMatchObject({ code: 'EINVAL' });
    await host.sysfs.write(GROUP, '0.0.0004,0.0.0005,0.0.0006');
    await expect(host.sysfs.write(GROUP, '0.0.0004,0.0.0005,0.0.0006')).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('has no group file until modprobe qeth, and binds the ccw devices then', async () => {
    const { host } = simQeth({ devices: osaTriple('0001'), moduleLoaded: false });
    expect(await host.sysfs.exists(GROUP)).toBe(false);
    expect(await host.sysfs.exists('/sys/bus/ccw/devices/0.0.0001/driver')).toBe(false);
    expect((await host.exec('modprobe', ['qeth'], { timeoutMs: 1000 })).exitCode).toBe(0);
    expect(await host.sysfs.exists(GROUP)).toBe(true);
    expect(await host.sysfs.readlink('/sys/bus/ccw/devices/0.0.0001/driver')).toBe('../../../../bus/ccw/drivers/qeth');
  });

  it('creates the group device with its links and attributes; layer2 reads -1 until online', async () => {
    const { host } = simQeth({ devices: osaTriple('0001'), moduleLoaded: true });
    await host.sysfs.write(GROUP, '0.0.0001,0.0.0002,0.0.0003');
    expect(await host.sysfs.read('/sys/bus/ccwgroup/devices/0.0.0001/layer2')).toBe('-1');
    expect(await host.sysfs.readlink('/sys/bus/ccw/devices/0.0.0003/group_device')).toBe('../../../qeth/0.0.0001');
    expect(await host.sysfs.read('/sys/bus/ccwgroup/devices/0.0.0001/cdev2/cutype')).toBe('1731/01');
    expect(await host.sysfs.list('/sys/bus/ccwgroup/devices/0.0.0001/../../css0')).toContain('0.0.0000');
  });

  it('online: EINVAL when already in that state; portno/layer2 EPERM while online; reads 0 until done', async () => {
    const { host } = simQeth({ devices: osaTriple('0001'), moduleLoaded: true, onlineLatencyMs: 100 });
    await host.sysfs.write(GROUP, '0.0.0001,0.0.0002,0.0.0003');
    await expect(host.sysfs.write(online('0.0.0001'), '0')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(host.sysfs.write(online('0.0.0001'), '2')).rejects.toMatchObject({ code: 'EINVAL' });
    const pending = host.sysfs.write(online('0.0.0001'), '1');
    expect(await host.sysfs.read(online('0.0.0001'))).toBe('0');
    await expect(host.sysfs.write(online('0.0.0001'), '1')).rejects.toMatchObject({ code: 'EAGAIN' });
    await pending;
    await expect(host.sysfs.write(online('0.0.0001'), '1')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(host.sysfs.write('/sys/bus/ccwgroup/devices/0.0.0001/portno', '1')).rejects.toMatchObject({ code: 'EPERM' });
    await expect(host.sysfs.write('/sys/bus/ccwgroup/devices/0.0.0001/layer2', '0')).rejects.toMatchObject({ code: 'EPERM' });
    await expect(host.sysfs.write('/sys/bus/ccwgroup/devices/0.0.0001/portno', '10')).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await host.sysfs.read('/sys/bus/ccwgroup/devices/0.0.0001/layer2')).toBe('1');
  });

  it('registers eth0 on the first online and udev renames it to enc1 shortly after; offline keeps it', async () => {
    const { host } = simQeth({ devices: osaTriple('0001'), moduleLoaded: true, rename: { mode: 'delay', ms: 30 } });
    await host.sysfs.write(GROUP, '0.0.0001,0.0.0002,0.0.0003');
    await host.sysfs.write(online('0.0.0001'), '1');
    expect(await host.sysfs.list('/sys/bus/ccwgroup/devices/0.0.0001/net')).toEqual(['eth0']);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await host.sysfs.list('/sys/bus/ccwgroup/devices/0.0.0001/net')).toEqual(['enc1']);
    expect(await host.sysfs.readlink('/sys/class/net/enc1/device')).toBe('../../../0.0.0001');
    await host.sysfs.write(online('0.0.0001'), '0');
    expect(await host.sysfs.exists('/sys/class/net/enc1/address')).toBe(true);
    expect((await host.exec('ip', ['link', 'set', 'dev', 'enc1', 'address', '0a:00:00:00:00:01'], { timeoutMs: 1000 })).stderr).toBe('RTNETLINK answers: No such device');
  });

  it('cio_ignore: lists ranges, frees asynchronously, and cio_settle waits for the devices', async () => {
    const { host } = simQeth({ devices: osaTriple('0004'), moduleLoaded: true, ignored: ['0.0.0000-0.0.00ff'], appearDelayMs: 80 });
    expect(await host.sysfs.read('/proc/cio_ignore')).toBe('0.0.0000-0.0.00ff');
    await host.sysfs.write('/proc/cio_ignore', 'free 0.0.0004-0.0.0006');
    expect(await host.sysfs.exists('/sys/bus/ccw/devices/0.0.0004')).toBe(false);
    await host.sysfs.write('/proc/cio_settle', '1');
    expect(await host.sysfs.exists('/sys/bus/ccw/devices/0.0.0004')).toBe(true);
    expect(await host.sysfs.read('/proc/cio_ignore')).toBe('0.0.0000-0.0.0003\n0.0.0007-0.0.00ff');
    await expect(host.sysfs.write('/proc/cio_ignore', 'free 0.0.0010,bogus')).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await host.sysfs.read('/proc/cio_ignore')).toBe('0.0.0000-0.0.0003\n0.0.0007-0.0.000f\n0.0.0011-0.0.00ff');
  });

  it('brings independent devices online concurrently', async () => {
    const reads = ['0001', '0004', '0007', '000a'];
    const { host } = simQeth({ devices: reads.flatMap((read) => osaTriple(read)), moduleLoaded: true, onlineLatencyMs: 200 });
    for (const read of reads) await host.sysfs.write(GROUP, osaTriple(read).map((spec) => spec.busId).join(','));
    const started = performance.now();
    await Promise.all(reads.map((read) => host.sysfs.write(online(`0.0.${read}`), '1')));
    expect(performance.now() - started).toBeLessThan(4 * 200 * 0.75);
  });
});
