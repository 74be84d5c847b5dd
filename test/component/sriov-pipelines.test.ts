// sriov run-time behaviour on the simulated kernel: per-PF pipelines (a slow PF never delays another's binds, judged
// by the kernel's write journal), PFs that appear late or never, and the intent record that makes temporary
// settings (autoprobe off, driver_override) crash-safe.
import { describe, expect, it } from 'vitest';
import { runAgent } from '../helpers/run-agent.js';
import type { SimHost } from '../sim/sim-host.js';
import type { Mlx5PfSpec } from '../sim/sriov-scenario.js';
import { PF_A, PF_B, PORT_A, PORT_B, VENDOR_DATA_FILE, VFS_A, VFS_B, configuredVfs, mlx5Pf, simSriov, vendorDataFor } from '../sim/sriov-scenario.js';

const RECORD = '/run/guest-boot-agent/sriov-intent.json';
const autoprobe = (pf: string) => `/sys/bus/pci/devices/${pf}/sriov_drivers_autoprobe`;
const BIND = '/sys/bus/pci/drivers/mlx5_core/bind';

const sriov = (host: SimHost, ...extra: string[]) => runAgent(host, ['sriov', '--vendor-data', VENDOR_DATA_FILE, ...extra]);
const restores = async (host: SimHost) => JSON.parse((await host.files.read(RECORD)) ?? '{"restore":{}}').restore as Record<string, string>;

describe.each(['ofed', 'inbox'] as const)('sriov run time with the %s driver', (mode) => {
  const pf = (address: string, portGuid: string, extra: Partial<Mlx5PfSpec> = {}) => mlx5Pf(address, { portGuid, totalVfs: 8, mode, ...extra });

  it("binds a fast PF's VFs while a slow PF still waits for its VFs (per-PF pipelines)", async () => {
    const { kernel, host } = simSriov({ pfs: [pf(PF_A, PORT_A, { timing: { vfAppearMs: 400 } }), pf(PF_B, PORT_B)], vendorData: vendorDataFor({ [PORT_A]: VFS_A, [PORT_B]: VFS_B }) });
    const run = await sriov(host);
    expect(run.code).toBe(0);
    const journal = host.writes.map((w) => `${w.path} ${w.value}`);
    const lastBindOfB = Math.max(...kernel.pf(PF_B)!.vfs.map((vf) => journal.indexOf(`${BIND} ${vf.address}`)));
    const aRestored = journal.lastIndexOf(`${autoprobe(PF_A)} 1`);
    // A's autoprobe comes back only after its last VF appeared; B's binds were all done before that.
    expect(lastBindOfB).toBeGreaterThanOrEqual(0);
    expect(aRestored).toBeGreaterThan(lastBindOfB);
    expect(kernel.pf(PF_A)!.vfs.map((vf) => vf.driver)).toEqual(['mlx5_core', 'mlx5_core']);
  });

  it('waits for a named PF that appears late (mlx5 probe, zPCI hotplug) and configures it', async () => {
    const { kernel, host } = simSriov({ pfs: [pf(PF_A, PORT_A), pf(PF_B, PORT_B, { appearMs: 300 })], vendorData: vendorDataFor({ [PORT_A]: VFS_A, [PORT_B]: VFS_B }) });
    const run = await sriov(host);
    expect(run.code).toBe(0);
    expect(run.lines).toContain(`<6>${PORT_B}: no PF with this port GUID yet; waiting up to 30 s for it to appear (mlx5 probe, zPCI hotplug)`);
    expect(kernel.pf(PF_B)!.vfs.map((vf) => [vf.driver, vf.seenNode])).toEqual(VFS_B.map((guid) => ['mlx5_core', guid]));
    expect(kernel.pf(PF_A)!.vfs.map((vf) => vf.seenNode)).toEqual(VFS_A);
  });

  it('fails a named PF that never appears within --pf-wait: exit 1, one line naming the GUID and the PFs present', async () => {
    const { kernel, host } = simSriov({ pfs: [pf(PF_A, PORT_A)], vendorData: vendorDataFor({ [PORT_A]: VFS_A, '04bd7003003744ff': VFS_B }) });
    const run = await sriov(host, '--pf-wait', '0.3');
    expect(run.code).toBe(1);
    expect(run.lines.filter((line) => line.includes('04bd7003003744ff') && line.startsWith('<3>'))).toEqual([
      `<3>04bd7003003744ff: cannot be configured: no Mellanox InfiniBand PF with port GUID 04bd7003003744ff appeared within 0.3 s; PFs present: ${PF_A} (port GUID ${PORT_A})`,
    ]);
    expect(kernel.pf(PF_A)!.vfs.map((vf) => vf.seenNode)).toEqual(VFS_A);
  });

  it('records autoprobe in the intent record while it is held, and clears it after the restore', async () => {
    const { host } = simSriov({ pfs: [pf(PF_A, PORT_A, { timing: { vfAppearMs: 200 } })], vendorData: vendorDataFor({ [PORT_A]: VFS_A }) });
    const running = sriov(host);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await restores(host)).toEqual({ [autoprobe(PF_A)]: '1' });
    expect((await running).code).toBe(0);
    expect(await restores(host)).toEqual({});
  });

  it("restores a killed run's autoprobe=0 from its record first (not read as the operator's), then converges", async () => {
    // What a run killed after creating the VFs and before restoring autoprobe leaves: VFs unbound, autoprobe 0.
    const left = VFS_A.map((guid) => ({ guid, policy: 'Follow' as const, bound: false }));
    const { kernel, host } = simSriov({
      pfs: [pf(PF_A, PORT_A, { autoprobe: false, vfs: left })],
      vendorData: vendorDataFor({ [PORT_A]: VFS_A }),
      files: { [RECORD]: JSON.stringify({ restore: { [autoprobe(PF_A)]: '1' } }) },
    });
    const run = await sriov(host);
    expect(run.code).toBe(0);
    expect(run.lines).toContain(`<4>${PF_A}: restored "1" > ${autoprobe(PF_A)}: a killed run left it held (${RECORD})`);
    expect(kernel.pf(PF_A)).toMatchObject({ autoprobe: true });
    expect(kernel.pf(PF_A)!.vfs.map((vf) => [vf.driver, vf.override, vf.seenNode])).toEqual(VFS_A.map((guid) => ['mlx5_core', null, guid]));
    expect(await restores(host)).toEqual({});
    // Converged: a third run writes nothing.
    host.writes.length = 0;
    expect((await sriov(host)).code).toBe(0);
    expect(host.writes).toEqual([]);
  });

  it('converges after a run killed while its VFs were still arriving (s390x): waits for the links, GUIDs, rebinds', async () => {
    const { kernel, host } = simSriov({
      pfs: [pf(PF_A, PORT_A, { autoprobe: false, timing: { vfAppearMs: 150 } })],
      vendorData: vendorDataFor({ [PORT_A]: VFS_A }),
      files: { [RECORD]: JSON.stringify({ restore: { [autoprobe(PF_A)]: '1' } }) },
    });
    // The killed run's last write: the VFs are on their way, autoprobe is still held at 0.
    await host.sysfs.write(`/sys/bus/pci/devices/${PF_A}/sriov_numvfs`, '2');
    const run = await sriov(host);
    expect(run.code, run.stderr).toBe(0);
    expect(kernel.pf(PF_A)).toMatchObject({ autoprobe: true, numVfs: 2 });
    expect(kernel.pf(PF_A)!.vfs.map((vf) => [vf.driver, vf.override, vf.seenNode, vf.seenPort])).toEqual(VFS_A.map((guid) => ['mlx5_core', null, guid, guid]));
    expect(await restores(host)).toEqual({});
  });

  it('clears a driver_override left on a VF that is otherwise configured (converged includes it), touching nothing else', async () => {
    const vfs = configuredVfs(VFS_A).map((preset, k) => (k === 0 ? { ...preset, override: 'mlx5_core' } : preset));
    const { kernel, host } = simSriov({ pfs: [pf(PF_A, PORT_A, { vfs })], vendorData: vendorDataFor({ [PORT_A]: VFS_A }) });
    expect((await sriov(host)).code).toBe(0);
    expect(host.writes).toEqual([{ path: `/sys/bus/pci/devices/${kernel.pf(PF_A)!.vfs[0]!.address}/driver_override`, value: '\n' }]);
    expect(kernel.pf(PF_A)!.vfs.map((vf) => [vf.override, vf.probes])).toEqual([[null, 1], [null, 1]]);
  });

  it('with autoprobe off: a bind that fails leaves no driver_override and nothing in the record', async () => {
    const { kernel, host } = simSriov({ pfs: [pf(PF_A, PORT_A, { autoprobe: false })], vendorData: vendorDataFor({ [PORT_A]: VFS_A }) });
    host.inject({ op: 'write', path: BIND, errno: 'EIO', times: 1 });
    const run = await sriov(host);
    expect(run.code).toBe(1);
    expect(kernel.pf(PF_A)!.vfs.map((vf) => vf.override)).toEqual([null, null]);
    expect(await restores(host)).toEqual({});
    expect(kernel.pf(PF_A)!.autoprobe).toBe(false);
  });
});

describe('the intent record when the vendor data asks for nothing', () => {
  it("still restores what a killed run held (mlnx_sriov is {} this time)", async () => {
    const { kernel, host } = simSriov({
      pfs: [mlx5Pf(PF_A, { portGuid: PORT_A, totalVfs: 8, autoprobe: false })],
      vendorData: { mlnx_sriov: { enable_sriov: false } },
      files: { [RECORD]: JSON.stringify({ restore: { [autoprobe(PF_A)]: '1', '/sys/bus/pci/devices/../../etc/passwd': '1' } }) },
    });
    const run = await sriov(host);
    expect(run.code).toBe(0);
    expect(kernel.pf(PF_A)!.autoprobe).toBe(true);
    // Only what this agent ever records is acted on: anything else in the file is dropped, never written.
    expect(host.writes).toEqual([{ path: autoprobe(PF_A), value: '1' }]);
    expect(await restores(host)).toEqual({});
  });
});
