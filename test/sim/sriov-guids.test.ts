// Setting VF GUIDs on the simulated mlx5 (reference sriov-sysfs.md §2.2, §2.3, §3): MLNX_OFED's sriov/<k> files
// (absent on inbox drivers) and `ip link set … vf …`, both reaching the same firmware vport; and the PF as the
// agent discovers it (§4): an IPoIB interface of type 32 whose address ends in the port GUID.
import { describe, expect, it } from 'vitest';
import { observeSriov } from '../../src/sriov/observe.js';
import type { Mlx5PfSpec, SriovSpec } from './sriov-scenario.js';
import { configuredVfs, mlx5Pf, simSriov } from './sriov-scenario.js';

const PF = '0000:01:00.0';
const GUID = 'fe:fe:ab:03:00:4f:86:b9';
const ofed = (k: number, name: string) => `/sys/bus/pci/devices/${PF}/sriov/${k}/${name}`;
const ip = (...args: string[]) => ['ip', ['link', 'set', ...args], { timeoutMs: 1000 }] as const;
/** A PF with two fresh VFs (all-zero GUIDs, policy Down), bound. */
const machine = (extra: Partial<Mlx5PfSpec> = {}, spec: Omit<SriovSpec, 'pfs'> = {}) =>
  simSriov({ pfs: [mlx5Pf(PF, { portGuid: '04bd700300374486', totalVfs: 4, vfs: [{}, {}], ...extra })], ...spec });

describe('MLNX_OFED sriov/<k>/{node,port,policy} (§2.3)', () => {
  it('reads the firmware values: lower-case colon GUIDs and the policy word', async () => {
    const { host } = machine();
    expect(await Promise.all(['node', 'port', 'policy'].map((name) => host.sysfs.read(ofed(1, name))))).toEqual(['00:00:00:00:00:00:00:00', '00:00:00:00:00:00:00:00', 'Down']);
  });

  it.each([
    ['colon form', GUID, 'fefeab03004f86b9'],
    ['upper case and a newline', `${GUID.toUpperCase()}\n`, 'fefeab03004f86b9'],
    ['one-digit fields (sscanf %02x)', 'fe:fe:ab:3:0:4f:86:b9', 'fefeab03004f86b9'],
    ['trailing garbage (sscanf ignores it)', `${GUID}:zz`, 'fefeab03004f86b9'],
  ])('accepts %s on node and port', async (_case, value, stored) => {
    const { kernel, host } = machine();
    await host.sysfs.write(ofed(0, 'node'), value);
    await host.sysfs.write(ofed(0, 'port'), value);
    expect(kernel.vf('0000:01:00.1')).toMatchObject({ node: stored, port: stored });
    expect(await host.sysfs.read(ofed(0, 'port'))).toBe(GUID);
  });

  it.each([['the bare 16-digit form', 'fefeab03004f86b9'], ['seven fields', 'fe:fe:ab:03:00:4f:86'], ['dashes', GUID.replace(/:/g, '-')], ['a word', 'Follow']])(
    'refuses %s with EINVAL',
    async (_case, value) => {
      const { kernel, host } = machine();
      await expect(host.sysfs.write(ofed(0, 'node'), value)).rejects.toMatchObject({ code: 'EINVAL' });
      expect(kernel.vf('0000:01:00.1')?.node).toBe('0000000000000000');
    },
  );

  it('accepts exactly Down, Up, Follow for policy (one newline tolerated), EINVAL otherwise', async () => {
    const { kernel, host } = machine();
    await host.sysfs.write(ofed(0, 'policy'), 'Follow\n');
    expect(kernel.vf('0000:01:00.1')?.policy).toBe('Follow');
    for (const bad of ['follow', 'auto', 'Follow\n\n', '']) await expect(host.sysfs.write(ofed(0, 'policy'), bad)).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('fails a write with an injected errno per path (EIO on one VF), the others still work', async () => {
    const { kernel, host } = machine({}, { faults: [{ op: 'write', path: ofed(1, 'node'), errno: 'EIO' }] });
    await host.sysfs.write(ofed(0, 'node'), GUID);
    await expect(host.sysfs.write(ofed(1, 'node'), GUID)).rejects.toMatchObject({ code: 'EIO' });
    expect(kernel.pf(PF)?.vfs.map((vf) => vf.node)).toEqual(['fefeab03004f86b9', '0000000000000000']);
  });

  it('has sriov/ from PF probe, sriov/<k> from the numvfs write (before VFs appear on s390x), none after numvfs 0', async () => {
    const { kernel, host } = machine({ vfs: [], timing: { vfAppearMs: 50 } });
    expect(await host.sysfs.list(`/sys/bus/pci/devices/${PF}/sriov`)).toEqual([]);
    await host.sysfs.write(`/sys/bus/pci/devices/${PF}/sriov_numvfs`, '2');
    expect(await host.sysfs.list(`/sys/bus/pci/devices/${PF}/sriov`)).toEqual(['0', '1']);
    expect(await host.sysfs.exists(`/sys/bus/pci/devices/${PF}/virtfn0`)).toBe(false);
    await kernel.idle();
    await host.sysfs.write(`/sys/bus/pci/devices/${PF}/sriov_numvfs`, '0');
    expect(await host.sysfs.list(`/sys/bus/pci/devices/${PF}/sriov`)).toEqual([]);
  });

  it('does not exist on an inbox driver', async () => {
    const { host } = machine({ mode: 'inbox' });
    expect(await host.sysfs.exists(`/sys/bus/pci/devices/${PF}/sriov`)).toBe(false);
  });
});

describe('ip link set dev <pf> vf <k> node_guid … port_guid … state … (§3)', () => {
  it('sets both GUIDs and the link state (auto = Follow) in firmware; the bound VF still sees the old ones', async () => {
    const { kernel, host } = machine({ mode: 'inbox' });
    const run = await host.exec(...ip('dev', 'ib0', 'vf', '1', 'node_guid', GUID, 'port_guid', GUID, 'state', 'auto'));
    expect(run).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect(kernel.vf('0000:01:00.2')).toMatchObject({ node: 'fefeab03004f86b9', port: 'fefeab03004f86b9', policy: 'Follow', seenNode: '0000000000000000' });
  });

  it('works on a P_Key child of the PF, and in OFED mode too (same firmware)', async () => {
    const { kernel, host } = machine({ children: ['ib0.8001'] });
    expect((await host.exec(...ip('ib0.8001', 'vf', '0', 'state', 'enable'))).exitCode).toBe(0);
    expect(kernel.vf('0000:01:00.1')?.policy).toBe('Up');
  });

  it.each([
    ['a GUID without colons', ['dev', 'ib0', 'vf', '0', 'node_guid', 'fefeab03004f86b9'], 255, 'Error: argument "fefeab03004f86b9" is wrong: Invalid GUID format'],
    ['a short GUID', ['dev', 'ib0', 'vf', '0', 'port_guid', 'fe:fe:ab:3:00:4f:86:b9'], 255, 'Invalid GUID format'],
    ['a bad state', ['dev', 'ib0', 'vf', '0', 'state', 'up'], 255, 'Invalid "state" value'],
    ['a bad vf number', ['dev', 'ib0', 'vf', 'x'], 255, 'Invalid "vf" value'],
    ['vf before dev', ['vf', '0', 'state', 'auto'], 255, 'Error: argument "dev" is required'],
    ['a missing value', ['dev', 'ib0', 'vf', '0', 'node_guid'], 255, 'Command line is not complete'],
    ['an unknown device', ['dev', 'ib9', 'vf', '0', 'state', 'auto'], 1, 'Cannot find device "ib9"'],
    ['a VF index beyond numvfs', ['dev', 'ib0', 'vf', '2', 'node_guid', GUID], 2, 'RTNETLINK answers: Invalid argument'],
    ['a non-InfiniBand interface', ['dev', 'lo', 'vf', '0', 'node_guid', GUID], 2, 'RTNETLINK answers: Operation not supported'],
  ])('fails on %s, changing nothing', async (_case, args, exitCode, message) => {
    const { kernel, host } = machine({ mode: 'inbox' });
    const run = await host.exec(...ip(...args));
    expect(run.exitCode).toBe(exitCode);
    expect(run.stderr).toContain(message);
    expect(kernel.pf(PF)?.vfs.map((vf) => [vf.node, vf.policy])).toEqual([['0000000000000000', 'Down'], ['0000000000000000', 'Down']]);
  });

  it("refuses on a VF's own interface (no VF operations there): EOPNOTSUPP", async () => {
    const { kernel, host } = machine({ mode: 'inbox' });
    const run = await host.exec(...ip('dev', kernel.vf('0000:01:00.1')!.netdev!, 'vf', '0', 'node_guid', GUID));
    expect(run).toMatchObject({ exitCode: 2, stderr: 'RTNETLINK answers: Operation not supported\n' });
  });

  it("answers the firmware's refusal of one VF (injected 'vport') as RTNETLINK answers, exit 2; other VFs work", async () => {
    const { kernel, host } = machine({ mode: 'inbox' }, { faults: [{ op: 'vport', path: `${PF}/vf1`, errno: 'EIO' }] });
    expect((await host.exec(...ip('dev', 'ib0', 'vf', '0', 'node_guid', GUID))).exitCode).toBe(0);
    expect(await host.exec(...ip('dev', 'ib0', 'vf', '1', 'node_guid', GUID))).toMatchObject({ exitCode: 2, stderr: 'RTNETLINK answers: Input/output error\n' });
    expect(kernel.pf(PF)?.vfs.map((vf) => vf.node)).toEqual(['fefeab03004f86b9', '0000000000000000']);
  });

  it('leaves every other ip command to the generic model', async () => {
    const { host } = machine({ mode: 'inbox' });
    expect((await host.exec('ip', ['link', 'show', 'ib0'], { timeoutMs: 1000 })).stdout).toMatch(/^\d+: ib0: /);
  });
});

describe('the PF as the agent discovers it (§4)', () => {
  it('is an IPoIB interface of type 32 on a 15b3 function, its address ending in the port GUID', async () => {
    const { host } = machine({ children: ['ib0.8001'] });
    expect(await host.sysfs.read('/sys/class/net/ib0/type')).toBe('32');
    expect(await host.sysfs.readlink('/sys/class/net/ib0/device')).toBe(`../../../${PF}`);
    expect(await host.sysfs.read('/sys/class/net/ib0/device/vendor')).toBe('0x15b3');
    expect(await host.sysfs.read('/sys/class/net/ib0/device/sriov_totalvfs')).toBe('4');
    const address = await host.sysfs.read('/sys/class/net/ib0/address');
    expect(address).toMatch(/^([0-9a-f]{2}:){19}[0-9a-f]{2}$/);
    expect(address.slice(36)).toBe('04:bd:70:03:00:37:44:86');
    expect(await host.sysfs.read('/sys/class/net/ib0.8001/address')).toBe(address);
    expect(await host.sysfs.exists('/sys/class/net/ib0/device/physfn')).toBe(false);
  });

  it("is what observeSriov reads: one PF (children deduplicated), its VFs' drivers, what they see, OFED values", async () => {
    const { host } = machine({ children: ['ib0.8001'], vfs: configuredVfs(['fefeab03004f86b9']) });
    const snapshot = await observeSriov(host);
    expect(snapshot.pfs).toEqual([
      {
        address: PF,
        netdevs: ['ib0', 'ib0.8001'],
        portGuid: '04bd700300374486',
        sriov: { totalVfs: 4, numVfs: 1, autoprobe: '1' },
        ofed: true,
        vfs: [{ index: 0, address: '0000:01:00.1', physfn: '0000:01:00.0', driver: 'mlx5_core', override: null, seenNodeGuid: 'fefeab03004f86b9', seenPortGuid: 'fefeab03004f86b9', ofed: { node: 'fefeab03004f86b9', port: 'fefeab03004f86b9', policy: 'Follow' } }],
      },
    ]);
  });

  it('reports SR-IOV off in firmware as no sriov_* files (observeSriov: sriov null)', async () => {
    const { host } = machine({ totalVfs: 0, vfs: [] });
    expect((await observeSriov(host)).pfs[0]).toMatchObject({ sriov: null, ofed: false, vfs: [] });
  });
});
