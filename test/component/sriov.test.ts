// sriov end to end through the CLI, against the simulated PCI SR-IOV + mlx5 model, with both GUID back-ends:
// MLNX_OFED's sysfs files and netlink (`ip link set … vf …`) on an inbox driver. Assertions are on the kernel's final
// state (firmware values next to what each VF sees), the write journal and the programs run.
import { describe, expect, it } from 'vitest';
import { runAgent } from '../helpers/run-agent.js';
import type { SimKernel } from '../sim/kernel.js';
import type { SimHost } from '../sim/sim-host.js';
import type { Mlx5PfSpec, SriovSpec, VfPreset } from '../sim/sriov-scenario.js';
import { PF_A, PF_B, PORT_A, PORT_B, STALE, VENDOR_DATA_FILE, VFS_A, VFS_B, configuredVfs, mlx5Pf, simSriov, vendorDataFor } from '../sim/sriov-scenario.js';


const sriov = (host: SimHost, ...extra: string[]) => runAgent(host, ['sriov', '--vendor-data', VENDOR_DATA_FILE, ...extra]);
/** Journal entries that name `pf` or one of its VFs (VF addresses share the PF's bus here). */
const writesOn = (host: SimHost, pf: string) => host.writes.filter((w) => w.path.includes(pf.slice(0, 7)) || w.value.startsWith(pf.slice(0, 7)));
const numvfsWrites = (host: SimHost, pf: string) => host.writes.filter((w) => w.path === `/sys/bus/pci/devices/${pf}/sriov_numvfs`).map((w) => w.value);

/** Every VF of `pf` bound, its firmware values as wanted, and seeing exactly those GUIDs; autoprobe left on. */
function expectConfigured(kernel: SimKernel, pf: string, guids: readonly string[]): void {
  const view = kernel.pf(pf)!;
  expect({ numVfs: view.numVfs, autoprobe: view.autoprobe }).toEqual({ numVfs: guids.length, autoprobe: true });
  expect(view.vfs.map(({ driver, node, port, policy, seenNode, seenPort }) => ({ driver, node, port, policy, seenNode, seenPort }))).toEqual(
    guids.map((guid) => ({ driver: 'mlx5_core', node: guid, port: guid, policy: 'Follow', seenNode: guid, seenPort: guid })),
  );
}

describe.each(['ofed', 'inbox'] as const)('sriov on mlx5 with the %s driver', (mode) => {
  const pf = (address: string, portGuid: string, extra: Partial<Mlx5PfSpec> = {}) => mlx5Pf(address, { portGuid, totalVfs: 8, mode, ...extra });
  const machine = (pfs: Mlx5PfSpec[], vendorData: unknown, spec: Omit<SriovSpec, 'pfs'> = {}) => simSriov({ pfs, vendorData, ...spec });
  /** How VF k's GUIDs failing to apply is injected: a write error on OFED's file, the firmware refusing netlink. */
  const failVfGuids = (address: string, k: number) =>
    mode === 'ofed' ? { op: 'write', path: `/sys/bus/pci/devices/${address}/sriov/${k}/node`, errno: 'EIO', times: 1 } : { op: 'vport', path: `${address}/vf${k}`, errno: 'EIO', times: 1 };

  it('creates the VFs on a fresh PF with their GUIDs in place before the first probe, and records the run', async () => {
    const { kernel, host } = machine([pf(PF_A, PORT_A)], vendorDataFor({ [PORT_A]: VFS_A }));
    const run = await sriov(host);
    expect(run.code).toBe(0);
    expectConfigured(kernel, PF_A, VFS_A);
    // One probe each: no VF ever came up with an all-zero GUID that a rebind had to fix.
    expect(kernel.pf(PF_A)!.vfs.map((vf) => vf.probes)).toEqual([1, 1]);
    expect(host.execs.filter(([file]) => file === 'ip')).toHaveLength(mode === 'inbox' ? 2 : 0);
    expect(run.lines).toContain(`<6>${PF_A}: VFs configured`);
    const record = JSON.parse((await host.files.read('/run/guest-boot-agent/sriov.json'))!);
    expect(record).toMatchObject({ command: 'sriov', exitCode: 0, results: [{ target: PF_A, ok: true }, { target: `${PF_A}/vf0`, ok: true }, { target: `${PF_A}/vf1`, ok: true }] });
  });

  it('waits for VFs that appear after the numvfs write returns (s390x)', async () => {
    const { kernel, host } = machine([pf(PF_A, PORT_A, { timing: { vfAppearMs: 60 } })], vendorDataFor({ [PORT_A]: VFS_A }));
    expect((await sriov(host)).code).toBe(0);
    expectConfigured(kernel, PF_A, VFS_A);
  });

  it('binds through driver_override when autoprobe was already off, and leaves autoprobe and overrides as found', async () => {
    const { kernel, host } = machine([pf(PF_A, PORT_A, { autoprobe: false })], vendorDataFor({ [PORT_A]: VFS_A }));
    expect((await sriov(host)).code).toBe(0);
    expect(kernel.pf(PF_A)?.autoprobe).toBe(false);
    expect(kernel.pf(PF_A)!.vfs.map((vf) => [vf.driver, vf.override, vf.seenNode, vf.probes])).toEqual(VFS_A.map((guid) => ['mlx5_core', null, guid, 1]));
  });

  it('changes nothing on a PF that already has the wanted VFs: no write, no ip', async () => {
    const { kernel, host } = machine([pf(PF_A, PORT_A, { vfs: configuredVfs(VFS_A) })], vendorDataFor({ [PORT_A]: VFS_A }));
    const run = await sriov(host);
    expect(run.code).toBe(0);
    expect(host.writes).toEqual([]);
    expect(host.execs).toEqual([]);
    expect(kernel.pf(PF_A)!.vfs.map((vf) => vf.probes)).toEqual([1, 1]);
    expect(run.lines).toContain(`<6>${PF_A}: VFs already configured; nothing changed`);
  });

  it('goes through 0 when the PF has a different non-zero number of VFs, saying it is disruptive', async () => {
    const old: VfPreset[] = configuredVfs(['fefe0000000000c1', 'fefe0000000000c2', 'fefe0000000000c3', 'fefe0000000000c4']);
    const { kernel, host } = machine([pf(PF_A, PORT_A, { vfs: old })], vendorDataFor({ [PORT_A]: VFS_A }));
    const run = await sriov(host);
    expect(run.code).toBe(0);
    expect(numvfsWrites(host, PF_A)).toEqual(['0', '2']);
    expectConfigured(kernel, PF_A, VFS_A);
    expect(run.stderr).toMatch(/DISRUPTIVE/);
  });

  it.each([
    ['fewer VFs than wanted', { totalVfs: 1 }, /allows 1.*NUM_OF_VFS/],
    ['SR-IOV off', { totalVfs: 0 }, /SRIOV_EN.*NUM_OF_VFS/],
  ])('names the firmware setting when the adapter firmware allows %s; the other PF is still done, exit 1', async (_case, firmware, message) => {
    const { kernel, host } = machine([pf(PF_A, PORT_A, firmware), pf(PF_B, PORT_B)], vendorDataFor({ [PORT_A]: VFS_A, [PORT_B]: VFS_B }));
    const run = await sriov(host);
    expect(run.code).toBe(1);
    expect(run.lines.find((line) => line.startsWith(`<3>${PF_A}: cannot be configured:`))).toMatch(message);
    expect(writesOn(host, PF_A)).toEqual([]);
    expectConfigured(kernel, PF_B, VFS_B);
  });

  it('leaves a PF the vendor data does not name alone', async () => {
    const { kernel, host } = machine([pf(PF_A, PORT_A), pf(PF_B, PORT_B, { autoprobe: false })], vendorDataFor({ [PORT_A]: VFS_A }));
    const run = await sriov(host);
    expect(run.code).toBe(0);
    expectConfigured(kernel, PF_A, VFS_A);
    expect(writesOn(host, PF_B)).toEqual([]);
    expect(kernel.pf(PF_B)).toMatchObject({ numVfs: 0, autoprobe: false });
    expect(run.lines).toContain(`<6>${PF_B}: not named in the vendor data: left untouched`);
  });

  it("rebinds only its own PF's VFs that still see an old GUID; another PF's Mellanox VF is never unbound", async () => {
    const stale: VfPreset[] = VFS_A.map((guid) => ({ guid, policy: 'Follow', seenGuid: STALE }));
    const other: VfPreset[] = [{ guid: 'fefe2200000000b1', seenGuid: STALE }];
    const { kernel, host } = machine([pf(PF_A, PORT_A, { vfs: stale }), pf(PF_B, PORT_B, { vfs: other })], vendorDataFor({ [PORT_A]: VFS_A }));
    const run = await sriov(host);
    expect(run.code).toBe(0);
    expectConfigured(kernel, PF_A, VFS_A);
    expect(kernel.pf(PF_A)!.vfs.map((vf) => vf.probes)).toEqual([2, 2]);
    expect(numvfsWrites(host, PF_A)).toEqual([]);
    expect(kernel.vf('0000:02:00.1')).toMatchObject({ driver: 'mlx5_core', probes: 1, seenNode: STALE });
    expect(writesOn(host, PF_B)).toEqual([]);
  });

  it('rebinds a VF whose node GUID is right but whose port GUID (in its IPoIB address) is still an old one', async () => {
    const halfDone: VfPreset[] = VFS_A.map((guid) => ({ node: guid, port: STALE, policy: 'Follow' }));
    const { kernel, host } = machine([pf(PF_A, PORT_A, { vfs: halfDone })], vendorDataFor({ [PORT_A]: VFS_A }));
    expect((await sriov(host)).code).toBe(0);
    expectConfigured(kernel, PF_A, VFS_A);
    expect(kernel.pf(PF_A)!.vfs.map((vf) => vf.probes)).toEqual([2, 2]);
    expect(numvfsWrites(host, PF_A)).toEqual([]);
  });

  it('fails the VF whose GUIDs cannot be set (exit 1), restores autoprobe, still does the other VF and PF; a re-run converges', async () => {
    const { kernel, host } = machine([pf(PF_A, PORT_A), pf(PF_B, PORT_B)], vendorDataFor({ [PORT_A]: VFS_A, [PORT_B]: VFS_B }), { faults: [failVfGuids(PF_A, 1)] });
    const first = await sriov(host);
    expect(first.code).toBe(1);
    expect(first.lines.some((line) => line.startsWith(`<3>${PF_A}/vf1: `) && line.includes('failed'))).toBe(true);
    expect(kernel.pf(PF_A)).toMatchObject({ autoprobe: true, numVfs: 2 });
    // VF 1 was not bound: it would have probed with a GUID missing. VF 0 has its GUIDs and is bound.
    expect(kernel.pf(PF_A)!.vfs.map((vf) => vf.driver)).toEqual(['mlx5_core', null]);
    expectConfigured(kernel, PF_B, VFS_B);
    const second = await sriov(host);
    expect(second.code).toBe(0);
    expectConfigured(kernel, PF_A, VFS_A);
    expectConfigured(kernel, PF_B, VFS_B);
  });

  it('configures two PFs concurrently: well under the serial sum of their waits', async () => {
    const timing = { enableMs: 400, probeMs: 100 };
    const { kernel, host } = machine([pf(PF_A, PORT_A), pf(PF_B, PORT_B)], vendorDataFor({ [PORT_A]: VFS_A, [PORT_B]: VFS_B }), { timing });
    const run = await sriov(host);
    expect(run.code).toBe(0);
    expectConfigured(kernel, PF_A, VFS_A);
    expectConfigured(kernel, PF_B, VFS_B);
    // Serially: 2 × 400 ms of enable plus 4 × 100 ms of probes. Concurrently about 500 ms.
    expect(run.elapsedMs).toBeLessThan((2 * timing.enableMs + 4 * timing.probeMs) * 0.7);
  });

  it('--dry-run prints the plan and changes nothing', async () => {
    const { kernel, host } = machine([pf(PF_A, PORT_A)], vendorDataFor({ [PORT_A]: VFS_A }));
    const run = await sriov(host, '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`write "2" > /sys/bus/pci/devices/${PF_A}/sriov_numvfs`);
    // Phase 2 as planned before the VFs exist: each VF named through its virtfn link, every step plain.
    expect(run.stdout).toContain(`write "${PF_A}/virtfn1" > /sys/bus/pci/drivers/mlx5_core/bind (EBUSY tolerated)`);
    expect(run.stdout).toContain(`wait ≤30s for /sys/bus/pci/devices/${PF_A}/virtfn1/driver → mlx5_core`);
    expect(run.stdout).toContain('record in /run/guest-boot-agent/sriov-intent.json: restore "1" > ');
    expect(host.writes).toEqual([]);
    expect(await host.files.read('/run/guest-boot-agent/sriov-intent.json')).toBeUndefined();
    expect(host.execs).toEqual([]);
    expect(kernel.pf(PF_A)).toMatchObject({ numVfs: 0, autoprobe: true });
  });

  describe('a [pkey][pf] document (3 limited P_Keys × 2 PFs)', () => {
    const rows = [
      ['fefe0103000000a1', 'fefe0103000000b1'],
      ['fefe0203000000a2', 'fefe0203000000b2'],
      ['fefe0303000000a3', 'fefe0303000000b3'],
    ];
    const document = { mlnx_sriov: { enable_sriov: true, physical_guids: [PORT_A, PORT_B], virtual_guids: rows, dynamic_pkey: '0x3e7e', default_limited_pkeys: ['0x0a01', '0x0a02', '0x0a03'] } };

    it('is refused by default (exit 3) with a message naming --guid-layout, nothing written', async () => {
      const { host } = machine([pf(PF_A, PORT_A), pf(PF_B, PORT_B)], document);
      const run = await sriov(host);
      expect(run.code).toBe(3);
      expect(run.stderr).toContain('--guid-layout pkey-major');
      expect(host.writes).toEqual([]);
      expect(host.execs).toEqual([]);
    });

    it('gives PF i the i-th GUID of every row with --guid-layout pkey-major', async () => {
      const { kernel, host } = machine([pf(PF_A, PORT_A), pf(PF_B, PORT_B)], document);
      expect((await sriov(host, '--guid-layout', 'pkey-major')).code).toBe(0);
      expectConfigured(kernel, PF_A, rows.map((row) => row[0]!));
      expectConfigured(kernel, PF_B, rows.map((row) => row[1]!));
    });
  });
});
