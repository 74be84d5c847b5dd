// The simulated PCI SR-IOV core must enforce the kernel's rules (reference sriov-sysfs.md §1.1–§1.3, §7), or tests
// against it prove nothing. Each rule is driven through the Host, as the agent would, and checked on the final state.
import { describe, expect, it } from 'vitest';
import type { Mlx5PfSpec, SriovSpec } from './sriov-scenario.js';
import { configuredVfs, mlx5Pf, simSriov } from './sriov-scenario.js';

const PF = '0000:01:00.0';
const PORT_GUID = '04bd700300374486';
const attr = (name: string, pf = PF) => `/sys/bus/pci/devices/${pf}/${name}`;
const machine = (extra: Partial<Mlx5PfSpec> = {}, spec: Omit<SriovSpec, 'pfs'> = {}) =>
  simSriov({ pfs: [mlx5Pf(PF, { portGuid: PORT_GUID, totalVfs: 4, ...extra })], ...spec });

describe('sriov_* files (§1.1)', () => {
  it('reads like the kernel prints them', async () => {
    const { host } = machine();
    const names = ['sriov_totalvfs', 'sriov_numvfs', 'sriov_drivers_autoprobe', 'sriov_offset', 'sriov_stride', 'sriov_vf_device'];
    expect(await Promise.all(names.map((name) => host.sysfs.read(attr(name))))).toEqual(['4', '0', '1', '1', '1', '1018']);
    expect(await host.sysfs.read(attr('vendor'))).toBe('0x15b3');
  });

  it('has none of them when SR-IOV is off in firmware (TotalVFs 0): reads are ENOENT', async () => {
    const { host } = machine({ totalVfs: 0 });
    for (const name of ['sriov_totalvfs', 'sriov_numvfs', 'sriov_drivers_autoprobe']) {
      await expect(host.sysfs.read(attr(name))).rejects.toMatchObject({ code: 'ENOENT' });
    }
    expect(await host.sysfs.exists(attr('sriov'))).toBe(false);
  });

  it('refuses a write to sriov_totalvfs with EACCES (0444)', async () => {
    const { host } = machine();
    await expect(host.sysfs.write(attr('sriov_totalvfs'), '8')).rejects.toMatchObject({ code: 'EACCES' });
  });
});

describe('sriov_numvfs store (§1.2)', () => {
  it.each([['a word', 'two'], ['trailing garbage', '2x'], ['empty', ''], ['negative', '-1'], ['above 65535', '70000']])('answers %s with EINVAL', async (_case, value) => {
    const { kernel, host } = machine();
    await expect(host.sysfs.write(attr('sriov_numvfs'), value)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(kernel.pf(PF)?.numVfs).toBe(0);
  });

  it('answers more than sriov_totalvfs with ERANGE', async () => {
    const { kernel, host } = machine();
    await expect(host.sysfs.write(attr('sriov_numvfs'), '5')).rejects.toMatchObject({ code: 'ERANGE' });
    expect(kernel.pf(PF)?.numVfs).toBe(0);
  });

  it("accepts echo's newline and base prefixes (kstrtou16 base 0: 0x4 is 4, 010 is 8 → ERANGE here)", async () => {
    const { kernel, host } = machine();
    await host.sysfs.write(attr('sriov_numvfs'), '0x2\n');
    expect(kernel.pf(PF)?.numVfs).toBe(2);
    await host.sysfs.write(attr('sriov_numvfs'), '0');
    await expect(host.sysfs.write(attr('sriov_numvfs'), '010')).rejects.toMatchObject({ code: 'ERANGE' });
  });

  it('creates the VFs: virtfnK on the PF → ../<VF>, physfn on the VF → ../<PF>, VFs bound by autoprobe', async () => {
    const { kernel, host } = machine();
    await host.sysfs.write(attr('sriov_numvfs'), '2');
    expect(await host.sysfs.readlink(attr('virtfn0'))).toBe('../0000:01:00.1');
    expect(await host.sysfs.readlink(attr('virtfn1'))).toBe('../0000:01:00.2');
    expect(await host.sysfs.readlink('/sys/bus/pci/devices/0000:01:00.2/physfn')).toBe(`../${PF}`);
    expect(await host.sysfs.read(`${attr('virtfn1')}/device`)).toBe('0x1018');
    expect(kernel.pf(PF)?.vfs.map((vf) => vf.driver)).toEqual(['mlx5_core', 'mlx5_core']);
    expect(await host.sysfs.read(attr('sriov_numvfs'))).toBe('2');
  });

  it('treats writing the current value as a no-op that succeeds (the VFs stay, nothing re-probes)', async () => {
    const { kernel, host } = machine({ vfs: configuredVfs(['fefeab03004f86b9', 'fefe2b03002a5777']) });
    await host.sysfs.write(attr('sriov_numvfs'), '2');
    expect(kernel.pf(PF)?.vfs.map((vf) => vf.probes)).toEqual([1, 1]);
  });

  it('refuses to change a non-zero count to another non-zero count with EBUSY; through 0 it works', async () => {
    const { kernel, host } = machine({ vfs: configuredVfs(['fefeab03004f86b9', 'fefe2b03002a5777']) });
    await expect(host.sysfs.write(attr('sriov_numvfs'), '3')).rejects.toMatchObject({ code: 'EBUSY' });
    expect(kernel.pf(PF)?.numVfs).toBe(2);
    await host.sysfs.write(attr('sriov_numvfs'), '0');
    expect(await host.sysfs.exists(attr('virtfn0'))).toBe(false);
    expect(await host.sysfs.exists('/sys/bus/pci/devices/0000:01:00.1')).toBe(false);
    await host.sysfs.write(attr('sriov_numvfs'), '3');
    expect(kernel.pf(PF)?.numVfs).toBe(3);
  });

  it('answers ENOENT when no driver is bound to the PF (after the range and same-value checks)', async () => {
    const { host } = machine({ unbound: true });
    await expect(host.sysfs.write(attr('sriov_numvfs'), '9')).rejects.toMatchObject({ code: 'ERANGE' });
    await host.sysfs.write(attr('sriov_numvfs'), '0');
    await expect(host.sysfs.write(attr('sriov_numvfs'), '2')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('keeps the GUIDs and policy the PF driver stored across N → 0 → N (vfs_ctx, §2.5)', async () => {
    const { kernel, host } = machine({ vfs: configuredVfs(['fefeab03004f86b9']) });
    await host.sysfs.write(attr('sriov_numvfs'), '0');
    await host.sysfs.write(attr('sriov_numvfs'), '1');
    expect(kernel.pf(PF)?.vfs[0]).toMatchObject({ node: 'fefeab03004f86b9', port: 'fefeab03004f86b9', policy: 'Follow', seenNode: 'fefeab03004f86b9' });
  });

  it('fails an enable with an injected errno (ENOMEM: no MMIO) and leaves numvfs 0', async () => {
    const { kernel, host } = machine({}, { faults: [{ op: 'enable', path: PF, errno: 'ENOMEM' }] });
    await expect(host.sysfs.write(attr('sriov_numvfs'), '2')).rejects.toMatchObject({ code: 'ENOMEM' });
    expect(kernel.pf(PF)?.numVfs).toBe(0);
    expect(await host.sysfs.exists(attr('sriov/0'))).toBe(false);
  });

  it('refuses numvfs 0 with an injected errno (EPERM: VFs assigned to a guest), the VFs stay', async () => {
    const { kernel, host } = machine({ vfs: configuredVfs(['fefeab03004f86b9']) }, { faults: [{ op: 'disable', path: PF, errno: 'EPERM' }] });
    await expect(host.sysfs.write(attr('sriov_numvfs'), '0')).rejects.toMatchObject({ code: 'EPERM' });
    expect(kernel.pf(PF)?.vfs).toMatchObject([{ address: '0000:01:00.1', driver: 'mlx5_core' }]);
  });

  it('blocks for the enable and disable times (the core sleeps; the write returns after)', async () => {
    const { host } = machine({ timing: { enableMs: 60, disableMs: 80 } });
    let started = performance.now();
    await host.sysfs.write(attr('sriov_numvfs'), '1');
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    started = performance.now();
    await host.sysfs.write(attr('sriov_numvfs'), '0');
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('adds injected latency to the write itself (Faults, per path)', async () => {
    const { host } = machine({}, { latencies: [{ op: 'write', path: attr('sriov_numvfs'), ms: 60 }] });
    const started = performance.now();
    await host.sysfs.write(attr('sriov_numvfs'), '1');
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });
});

describe('s390x: VFs arrive after the write returns (§0.10)', () => {
  it('returns with numvfs set but no virtfn links; they appear one by one, and probe if autoprobe is on then', async () => {
    const { kernel, host } = machine({ timing: { vfAppearMs: 40 } });
    await host.sysfs.write(attr('sriov_numvfs'), '2');
    expect(await host.sysfs.read(attr('sriov_numvfs'))).toBe('2');
    expect(await host.sysfs.exists(attr('virtfn0'))).toBe(false);
    await kernel.idle();
    expect(await host.sysfs.readlink(attr('virtfn1'))).toBe('../0000:01:00.2');
    expect(kernel.pf(PF)?.vfs.map((vf) => vf.driver)).toEqual(['mlx5_core', 'mlx5_core']);
  });

  it('drops VFs still on their way when numvfs goes back to 0', async () => {
    const { kernel, host } = machine({ timing: { vfAppearMs: 30 } });
    await host.sysfs.write(attr('sriov_numvfs'), '2');
    await host.sysfs.write(attr('sriov_numvfs'), '0');
    await kernel.idle();
    expect(await host.sysfs.exists(attr('virtfn0'))).toBe(false);
    expect(await host.sysfs.exists('/sys/bus/pci/devices/0000:01:00.1')).toBe(false);
  });
});

describe('sriov_drivers_autoprobe (§1.3)', () => {
  it.each([['0', false], ['1', true], ['n', false], ['Y', true], ['off', false], ['on\n', true]])('parses %j like kstrtobool', async (value, expected) => {
    const { kernel, host } = machine();
    await host.sysfs.write(attr('sriov_drivers_autoprobe'), value);
    expect(kernel.pf(PF)?.autoprobe).toBe(expected);
  });

  it('refuses anything else with EINVAL', async () => {
    const { host } = machine();
    await expect(host.sysfs.write(attr('sriov_drivers_autoprobe'), 'maybe')).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('only decides for VFs created afterwards: 0 leaves new VFs unbound, existing ones keep their driver', async () => {
    const { kernel, host } = machine();
    await host.sysfs.write(attr('sriov_drivers_autoprobe'), '0');
    await host.sysfs.write(attr('sriov_numvfs'), '2');
    expect(kernel.pf(PF)?.vfs.map((vf) => vf.driver)).toEqual([null, null]);
    expect(await host.sysfs.exists('/sys/bus/pci/devices/0000:01:00.1/driver')).toBe(false);
    expect(await host.sysfs.exists('/sys/bus/pci/devices/0000:01:00.1/net')).toBe(false);
  });
});
