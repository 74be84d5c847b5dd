// The simulated PCI driver model (reference sriov-sysfs.md §1.5, §2.4, §7 "Driver model"): bind, unbind,
// drivers_probe and driver_override with the kernel's errnos, the autoprobe trap, and VFs that see their GUIDs only
// as they were at their last probe.
import { describe, expect, it } from 'vitest';
import type { Mlx5PfSpec, SriovSpec } from './sriov-scenario.js';
import { configuredVfs, mlx5Pf, simSriov } from './sriov-scenario.js';

const PF = '0000:01:00.0';
const VF0 = '0000:01:00.1';
const VF1 = '0000:01:00.2';
const BIND = '/sys/bus/pci/drivers/mlx5_core/bind';
const UNBIND = '/sys/bus/pci/drivers/mlx5_core/unbind';
const PROBE = '/sys/bus/pci/drivers_probe';
const GUID = 'fefeab03004f86b9';
const OLD = 'fefe0000000000aa';
const dev = (address: string, name = '') => `/sys/bus/pci/devices/${address}${name ? `/${name}` : ''}`;
/** A PF with two VFs enabled at boot, unbound (autoprobe was off when they were created). */
const machine = (extra: Partial<Mlx5PfSpec> = {}, spec: Omit<SriovSpec, 'pfs'> = {}) =>
  simSriov({ pfs: [mlx5Pf(PF, { portGuid: '04bd700300374486', totalVfs: 4, autoprobe: false, vfs: [{ guid: GUID, bound: false }, { bound: false }], ...extra })], ...spec });

describe('bind (§1.5)', () => {
  it('with autoprobe 0 and no driver_override: ENODEV, nothing bound (the trap of §0.5)', async () => {
    const { kernel, host } = machine();
    await expect(host.sysfs.write(BIND, VF0)).rejects.toMatchObject({ code: 'ENODEV' });
    expect(kernel.vf(VF0)?.driver).toBeNull();
  });

  it('with driver_override = mlx5_core: binds although autoprobe is 0', async () => {
    const { kernel, host } = machine();
    await host.sysfs.write(dev(VF0, 'driver_override'), 'mlx5_core');
    await host.sysfs.write(BIND, VF0);
    expect(kernel.vf(VF0)).toMatchObject({ driver: 'mlx5_core', override: 'mlx5_core', probes: 1 });
    expect(await host.sysfs.readlink(dev(VF0, 'driver'))).toBe('../../../bus/pci/drivers/mlx5_core');
    expect(await host.sysfs.readlink(`/sys/bus/pci/drivers/mlx5_core/${VF0}`)).toBe(`../../../../devices/pci0000:00/${VF0}`);
  });

  it('with driver_override naming another driver: ENODEV even with autoprobe on', async () => {
    const { kernel, host } = machine({ autoprobe: true });
    await host.sysfs.write(dev(VF0, 'driver_override'), 'vfio-pci');
    await expect(host.sysfs.write(BIND, VF0)).rejects.toMatchObject({ code: 'ENODEV' });
    expect(kernel.vf(VF0)?.driver).toBeNull();
  });

  it('after autoprobe is back to 1: binds (echo\'s newline is fine)', async () => {
    const { kernel, host } = machine();
    await host.sysfs.write(dev(PF, 'sriov_drivers_autoprobe'), '1');
    await host.sysfs.write(BIND, `${VF0}\n`);
    expect(kernel.vf(VF0)?.driver).toBe('mlx5_core');
  });

  it('of an unknown device: ENODEV; of a bound device: EBUSY (kernels ≥ 5.13)', async () => {
    const { host } = machine({ autoprobe: true });
    await expect(host.sysfs.write(BIND, '0000:09:00.0')).rejects.toMatchObject({ code: 'ENODEV' });
    await host.sysfs.write(BIND, VF0);
    await expect(host.sysfs.write(BIND, VF0)).rejects.toMatchObject({ code: 'EBUSY' });
  });

  it('fails with the probe\'s errno when the probe fails (injected), leaving the VF unbound', async () => {
    const { kernel, host } = machine({ autoprobe: true }, { faults: [{ op: 'probe', path: VF0, errno: 'EIO', times: 1 }] });
    await expect(host.sysfs.write(BIND, VF0)).rejects.toMatchObject({ code: 'EIO' });
    expect(kernel.vf(VF0)?.driver).toBeNull();
    await host.sysfs.write(BIND, VF0);
    expect(kernel.vf(VF0)?.driver).toBe('mlx5_core');
  });

  it('takes the probe time (bind latency), and binds of different VFs run concurrently', async () => {
    const { kernel, host } = machine({ autoprobe: true, timing: { probeMs: 80 } });
    const started = performance.now();
    await Promise.all([host.sysfs.write(BIND, VF0), host.sysfs.write(BIND, VF1)]);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(75);
    expect(elapsed).toBeLessThan(150);
    expect(kernel.pf(PF)?.vfs.map((vf) => vf.driver)).toEqual(['mlx5_core', 'mlx5_core']);
  });
});

describe('unbind, drivers_probe, driver_override (§1.5)', () => {
  it('unbind: ENODEV when not bound to this driver; otherwise the VF loses its driver, ibdev and netdev', async () => {
    const { kernel, host } = machine({ autoprobe: true });
    await expect(host.sysfs.write(UNBIND, VF0)).rejects.toMatchObject({ code: 'ENODEV' });
    await host.sysfs.write(BIND, VF0);
    const netdev = kernel.vf(VF0)!.netdev!;
    await host.sysfs.write(dev(VF0, 'driver/unbind'), VF0);
    expect(kernel.vf(VF0)).toMatchObject({ driver: null, netdev: null, seenNode: null });
    expect(await host.sysfs.exists(`/sys/class/net/${netdev}`)).toBe(false);
    expect(await host.sysfs.exists(dev(VF0, 'driver'))).toBe(false);
  });

  it('drivers_probe: ENODEV for an unknown device, success even when nothing bound (§0.6)', async () => {
    const { kernel, host } = machine();
    await expect(host.sysfs.write(PROBE, '0000:09:00.0')).rejects.toMatchObject({ code: 'ENODEV' });
    await host.sysfs.write(PROBE, VF0);
    expect(kernel.vf(VF0)?.driver).toBeNull();
    await host.sysfs.write(dev(VF0, 'driver_override'), 'mlx5_core');
    await host.sysfs.write(PROBE, VF0);
    expect(kernel.vf(VF0)?.driver).toBe('mlx5_core');
  });

  it('driver_override reads (null) until set; a newline or empty write clears it; writing never binds', async () => {
    const { kernel, host } = machine();
    expect(await host.sysfs.read(dev(VF0, 'driver_override'))).toBe('(null)');
    await host.sysfs.write(dev(VF0, 'driver_override'), 'mlx5_core\n');
    expect(await host.sysfs.read(dev(VF0, 'driver_override'))).toBe('mlx5_core');
    expect(kernel.vf(VF0)?.driver).toBeNull();
    await host.sysfs.write(dev(VF0, 'driver_override'), '\n');
    expect(kernel.vf(VF0)?.override).toBeNull();
  });
});

describe('what a VF sees (§2.4, §0.7, §0.8)', () => {
  it('sees the GUIDs that were in firmware at its probe: node_guid, GID 0 and the IPoIB address', async () => {
    const { kernel, host } = machine({ autoprobe: true });
    await host.sysfs.write(BIND, VF0);
    const vf = kernel.vf(VF0)!;
    expect(vf).toMatchObject({ seenNode: GUID, seenPort: GUID });
    const [ibdev] = await host.sysfs.list(dev(VF0, 'infiniband'));
    expect(await host.sysfs.read(dev(VF0, `infiniband/${ibdev}/node_guid`))).toBe('fefe:ab03:004f:86b9');
    expect(await host.sysfs.read(dev(VF0, `infiniband/${ibdev}/ports/1/gids/0`))).toBe('fe80:0000:0000:0000:fefe:ab03:004f:86b9');
    const address = await host.sysfs.read(`/sys/class/net/${vf.netdev}/address`);
    expect(address).toHaveLength(59);
    expect(address.slice(36)).toBe('fe:fe:ab:03:00:4f:86:b9');
    expect(await host.sysfs.exists(`/sys/class/net/${vf.netdev}/device/physfn`)).toBe(true);
  });

  it('keeps seeing the old GUID after the firmware value changes, until it is unbound and bound again', async () => {
    const { kernel, host } = machine({ autoprobe: true, vfs: [{ guid: GUID, seenGuid: OLD }] });
    expect(kernel.vf(VF0)).toMatchObject({ node: GUID, seenNode: OLD, seenPort: OLD });
    await host.sysfs.write(dev(PF, 'sriov/0/node'), 'fe:fe:ab:03:00:4f:86:b9');
    expect(kernel.vf(VF0)?.seenNode).toBe(OLD);
    const before = kernel.vf(VF0)!.netdev;
    await host.sysfs.write(UNBIND, VF0);
    await host.sysfs.write(BIND, VF0);
    expect(kernel.vf(VF0)).toMatchObject({ seenNode: GUID, seenPort: GUID, probes: 2 });
    // Rebinding renames the VF's interface: never identify a VF by its netdev name.
    expect(kernel.vf(VF0)?.netdev).not.toBe(before);
  });
});

describe('the PF driver (§2.5)', () => {
  it('unbinding the PF disables its VFs and removes its interface; after a new probe the stored GUIDs are gone', async () => {
    const { kernel, host } = simSriov({ pfs: [mlx5Pf(PF, { portGuid: '04bd700300374486', totalVfs: 4, vfs: configuredVfs([GUID]) })] });
    await host.sysfs.write(UNBIND, PF);
    expect(kernel.pf(PF)).toMatchObject({ driver: null, netdev: null, numVfs: 0 });
    expect(await host.sysfs.exists('/sys/class/net/ib0')).toBe(false);
    expect(await host.sysfs.exists(dev(VF0))).toBe(false);
    await expect(host.sysfs.write(dev(PF, 'sriov_numvfs'), '1')).rejects.toMatchObject({ code: 'ENOENT' });
    await host.sysfs.write(BIND, PF);
    await host.sysfs.write(dev(PF, 'sriov_numvfs'), '1');
    expect(kernel.vf(VF0)).toMatchObject({ node: '0000000000000000', policy: 'Down', seenNode: '0000000000000000' });
  });
});
