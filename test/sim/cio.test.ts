// The channel subsystem and module rules of the simulator: cio_ignore and cio_settle (reference qeth §3), module
// loading (§4), and the ccw device view the agent observes (§1.3).
import { describe, expect, it } from 'vitest';
import { osa, osaTriple, preOnline, simQeth } from './scenario.js';

const exec = { timeoutMs: 1000 };

describe('cio_ignore (§3.1)', () => {
  it('reads one range per line, cssid 0, ranges split per subchannel set', async () => {
    const { host } = simQeth({ devices: [], ignored: ['0.0.0000-0.0.0008', '0.0.000a-0.1.0003', '0.2.0007'] });
    expect(await host.sysfs.read('/proc/cio_ignore')).toBe('0.0.0000-0.0.0008\n0.0.000a-0.0.ffff\n0.1.0000-0.1.0003\n0.2.0007');
  });

  it('frees asynchronously: the devices appear only later, and cio_settle blocks until they have', async () => {
    const { kernel, host } = simQeth({ devices: [osaTriple('0.0.0004')], moduleLoaded: true, ignored: ['all'], appearDelayMs: 80 });
    expect(await host.sysfs.list('/sys/bus/ccw/devices')).toEqual([]);
    await host.sysfs.write('/proc/cio_ignore', 'free 0.0.0004-0.0.0005,0.0.0006\n');
    expect(await host.sysfs.exists('/sys/bus/ccw/devices/0.0.0004')).toBe(false);
    const started = performance.now();
    await host.sysfs.write('/proc/cio_settle', '1\n');
    expect(performance.now() - started).toBeGreaterThan(50);
    expect(await host.sysfs.list('/sys/bus/ccw/devices')).toEqual(['0.0.0004', '0.0.0005', '0.0.0006']);
    // Bound at registration, since qeth is loaded; the subchannel's chpids end with a space, as chpids_show prints.
    expect(await host.sysfs.readlink('/sys/bus/ccw/devices/0.0.0004/driver')).toBe('../../../../bus/ccw/drivers/qeth');
    expect(await host.sysfs.read('/sys/bus/ccw/devices/0.0.0004/../chpids')).toBe('11 00 00 00 00 00 00 00 ');
    expect(kernel.ccw('0.0.0004')).toMatchObject({ visible: true, driver: 'qeth' });
    expect(await host.sysfs.read('/proc/cio_ignore')).toBe('0.0.0000-0.0.0003\n0.0.0007-0.0.ffff\n0.1.0000-0.1.ffff\n0.2.0000-0.2.ffff\n0.3.0000-0.3.ffff');
  });

  it('applies the valid items of a write with an invalid one, then fails it EINVAL', async () => {
    const { host } = simQeth({ devices: [], ignored: ['0.0.0000-0.0.00ff'] });
    await expect(host.sysfs.write('/proc/cio_ignore', 'free 0.0.0010,0.0.10,1.0.0011,0.0.0013-0.0.0012,0.0.0020')).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await host.sysfs.read('/proc/cio_ignore')).toBe('0.0.0000-0.0.000f\n0.0.0011-0.0.001f\n0.0.0021-0.0.00ff');
  });

  it('takes old-style devnos and "!" per item; add re-hides; unknown verbs are EINVAL', async () => {
    const { host } = simQeth({ devices: [] });
    await host.sysfs.write('/proc/cio_ignore', 'add f500-f502,!f501');
    expect(await host.sysfs.read('/proc/cio_ignore')).toBe('0.0.f500\n0.0.f502');
    await expect(host.sysfs.write('/proc/cio_ignore', 'remove 0.0.f500')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(host.sysfs.write('/proc/cio_ignore', 'free')).resolves.toBeUndefined();
  });

  it('purge unregisters offline blacklisted devices, but not online ones', async () => {
    const { kernel, host } = simQeth({ devices: [osa('0.0.0001'), osaTriple('0.0.0004', { group: preOnline() })], moduleLoaded: true });
    await host.sysfs.write('/proc/cio_ignore', 'add 0.0.0001-0.0.0006');
    expect(kernel.ccw('0.0.0001')?.visible).toBe(true);
    await host.sysfs.write('/proc/cio_ignore', 'purge');
    expect([kernel.ccw('0.0.0001')?.visible, kernel.ccw('0.0.0004')?.visible]).toEqual([false, true]);
  });
});

describe('the qeth module (§4)', () => {
  it('is absent until modprobe: no group file, no /sys/devices/qeth, ccw devices unbound; modprobe binds them', async () => {
    const { kernel, host } = simQeth({ devices: [osaTriple('0.0.0001'), osa('0.0.0004', { cutype: '3088/08' })], modprobeLatencyMs: 30 });
    expect(await host.sysfs.exists('/sys/bus/ccwgroup/drivers/qeth/group')).toBe(false);
    expect(await host.sysfs.exists('/sys/devices/qeth')).toBe(false);
    expect(await host.sysfs.exists('/sys/bus/ccw/devices/0.0.0001/driver')).toBe(false);
    expect(await host.exec('modprobe', ['qeth', 'qeth_l2'], exec)).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect(await host.sysfs.exists('/sys/bus/ccwgroup/drivers/qeth/group')).toBe(true);
    expect(await host.sysfs.list('/sys/bus/ccw/drivers/qeth')).toEqual(['0.0.0001', '0.0.0002', '0.0.0003']);
    expect(kernel.ccw('0.0.0004')?.driver).toBeNull();
    // Without -a, modprobe takes "qeth_l2" as a parameter of qeth, which the kernel ignores.
    expect([kernel.isModuleLoaded('qeth'), kernel.isModuleLoaded('qeth_l2')]).toEqual([true, false]);
    expect(kernel.dmesg).toContain("qeth: unknown parameter 'qeth_l2' ignored");
    await host.exec('/sbin/modprobe', ['-a', 'qeth', 'qeth_l2', 'qeth_l3'], exec);
    expect(kernel.isModuleLoaded('qeth_l3')).toBe(true);
  });

  it('fails like kmod when the module is not installed', async () => {
    const { kernel, host } = simQeth({ devices: [osaTriple('0.0.0001')], modprobeFails: true });
    expect(await host.exec('modprobe', ['qeth'], exec)).toEqual({ exitCode: 1, stdout: '', stderr: 'modprobe: FATAL: Module qeth not found in directory /lib/modules/6.1.0-28-s390x\n' });
    expect(await host.exec('modprobe', ['-q', 'qeth'], exec)).toEqual({ exitCode: 1, stdout: '', stderr: '' });
    expect(kernel.isModuleLoaded('qeth')).toBe(false);
  });
});

describe('ccw devices (§1.3)', () => {
  it('look as the kernel prints them, and hidden ones are not there at all', async () => {
    const { host } = simQeth({ devices: [osa('0.0.f500', { chpid: 'A3' }), osa('0.0.f501')], ignored: ['0.0.f501'], moduleLoaded: true });
    expect(await host.sysfs.readlink('/sys/bus/ccw/devices/0.0.f500')).toBe('../../../devices/css0/0.0.0000/0.0.f500');
    const read = (name: string) => host.sysfs.read(`/sys/bus/ccw/devices/0.0.f500/${name}`);
    expect(await Promise.all(['cutype', 'devtype', 'online', 'availability', 'modalias'].map(read))).toEqual(['1731/01', '1732/01', '0', 'good', 'ccw:t1731m01dt1732dm01']);
    expect(await host.sysfs.read('/sys/devices/css0/chp0.a3/type')).toBe('11');
    expect(await host.sysfs.read('/sys/devices/css0/0.0.0000/pimpampom')).toBe('80 80 80');
    expect(await host.sysfs.exists('/sys/bus/ccw/devices/0.0.f501')).toBe(false);
    expect(await host.sysfs.exists('/sys/devices/css0/0.0.0001')).toBe(false);
  });
});
