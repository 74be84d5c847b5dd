// planSriov is pure: intent + snapshot in, plans out. Kernel behaviour is tested on the simulator.
import { describe, expect, it } from 'vitest';
import type { Action } from '../../../src/plan/action.js';
import type { SriovIntent } from '../../../src/sriov/intent.js';
import { planSriov } from '../../../src/sriov/plan.js';
import type { PfState, VfState } from '../../../src/sriov/snapshot.js';
import type { Guid } from '../../../src/values/guid.js';

const G = (hex: string) => hex as Guid;
const PF_GUID = G('04bd700300374486');
const VF_GUIDS = [G('fefeab03004f86b9'), G('fefe2b03002a5777')];
const intent = (guids: Guid[] = VF_GUIDS, physicalGuid = PF_GUID): SriovIntent => ({ pfs: [{ physicalGuid, vfGuids: guids }], dynamicPkey: null, defaultLimitedPkeys: [] });
const pf = (extra: Partial<PfState> = {}): PfState => ({ address: '0000:03:00.0', netdevs: ['ib0'], portGuid: PF_GUID, sriov: { totalVfs: 8, numVfs: 0, autoprobe: '1' }, ofed: true, vfs: [], ...extra });
const vf = (index: number, guid: Guid, extra: Partial<VfState> = {}): VfState => ({ index, address: `0000:03:00.${index + 1}`, driver: 'mlx5_core', seenNodeGuid: guid, seenPortGuid: guid, ofed: { node: guid, port: guid, policy: 'Follow' }, ...extra });
const lines = (actions: Action[]) => actions.map((a) => `${a.op} ${a.path.replace('/sys/bus/pci/devices/0000:03:00.0/', '')}${a.op === 'exec' ? ` ${a.args.join(' ')}` : 'value' in a ? ` ${a.value}` : ''}`);

describe('planSriov', () => {
  it('creates VFs on a fresh OFED PF with autoprobe held off, GUIDs in colon form, then binds each VF', () => {
    const plan = planSriov(intent(), { pfs: [pf()] });
    expect(lines(plan.configure[0]!.actions)).toEqual([
      'write sriov_drivers_autoprobe 0',
      'write sriov_numvfs 2',
      'wait virtfn0',
      'wait virtfn1',
      'write sriov/0/policy Follow',
      'write sriov/0/node fe:fe:ab:03:00:4f:86:b9',
      'write sriov/0/port fe:fe:ab:03:00:4f:86:b9',
      'write sriov/1/policy Follow',
      'write sriov/1/node fe:fe:2b:03:00:2a:57:77',
      'write sriov/1/port fe:fe:2b:03:00:2a:57:77',
      'write sriov_drivers_autoprobe 1',
    ]);
    expect(lines(plan.configure[0]!.onFailure!)).toEqual(['write sriov_drivers_autoprobe 1']);
    expect(plan.bind['0000:03:00.0']!.map((p) => [p.target, p.actions[0]])).toMatchObject([
      ['0000:03:00.0/vf0', { op: 'bind-vf', rebind: false, override: false }],
      ['0000:03:00.0/vf1', { op: 'bind-vf', rebind: false, override: false }],
    ]);
  });

  it('uses ip link on the parent netdev when the OFED files are absent (inbox driver)', () => {
    const plan = planSriov(intent(), { pfs: [pf({ ofed: false, netdevs: ['ib0', 'ib0.8001'] })] });
    expect(lines(plan.configure[0]!.actions).filter((l) => l.startsWith('exec'))).toEqual([
      'exec ip link set dev ib0 vf 0 node_guid fe:fe:ab:03:00:4f:86:b9 port_guid fe:fe:ab:03:00:4f:86:b9 state auto',
      'exec ip link set dev ib0 vf 1 node_guid fe:fe:2b:03:00:2a:57:77 port_guid fe:fe:2b:03:00:2a:57:77 state auto',
    ]);
  });

  it('plans nothing for a PF that already has the VFs, bound, seeing the wanted GUIDs', () => {
    const done = pf({ sriov: { totalVfs: 8, numVfs: 2, autoprobe: '1' }, vfs: [vf(0, VF_GUIDS[0]!), vf(1, VF_GUIDS[1]!)] });
    const plan = planSriov(intent(), { pfs: [done] });
    expect(plan.configure).toEqual([{ target: '0000:03:00.0', actions: [] }]);
    expect(plan.bind).toEqual({});
    expect(plan.failures).toEqual([]);
  });

  it('goes through 0 when a different non-zero number of VFs exists, and says it is disruptive', () => {
    const plan = planSriov(intent(), { pfs: [pf({ sriov: { totalVfs: 8, numVfs: 4, autoprobe: '1' } })] });
    expect(lines(plan.configure[0]!.actions).slice(0, 3)).toEqual(['write sriov_drivers_autoprobe 0', 'write sriov_numvfs 0', 'write sriov_numvfs 2']);
    expect(plan.configure[0]!.actions[1]!.why).toMatch(/^DISRUPTIVE/);
  });

  it('rewrites GUIDs and rebinds only the VF that still sees an old GUID', () => {
    const stale = vf(1, G('fefe000000000001'), { ofed: { node: G('fefe000000000001'), port: G('fefe000000000001'), policy: 'Follow' } });
    const plan = planSriov(intent(), { pfs: [pf({ sriov: { totalVfs: 8, numVfs: 2, autoprobe: '1' }, vfs: [vf(0, VF_GUIDS[0]!), stale] })] });
    expect(lines(plan.configure[0]!.actions)).toEqual(['wait virtfn0', 'wait virtfn1', 'write sriov/1/policy Follow', 'write sriov/1/node fe:fe:2b:03:00:2a:57:77', 'write sriov/1/port fe:fe:2b:03:00:2a:57:77']);
    expect(plan.bind['0000:03:00.0']!.map((p) => p.actions)).toMatchObject([[], [{ op: 'bind-vf', rebind: true }]]);
  });

  it('binds through driver_override when autoprobe was already off, and leaves autoprobe alone', () => {
    const plan = planSriov(intent(), { pfs: [pf({ sriov: { totalVfs: 8, numVfs: 0, autoprobe: '0' } })] });
    expect(lines(plan.configure[0]!.actions).filter((l) => l.includes('autoprobe'))).toEqual([]);
    expect(plan.bind['0000:03:00.0']![0]!.actions[0]).toMatchObject({ override: true });
  });

  it.each([
    ['SR-IOV off in firmware', pf({ sriov: null }), /SR-IOV is disabled in the adapter firmware.*SRIOV_EN.*NUM_OF_VFS/],
    ['too few VFs allowed', pf({ sriov: { totalVfs: 1, numVfs: 0, autoprobe: '1' } }), /wants 2 VFs but the adapter firmware allows 1 \(raise NUM_OF_VFS/],
  ])('fails a PF with %s, naming the firmware setting', (_name, state, reason) => {
    const plan = planSriov(intent(), { pfs: [state] });
    expect(plan.configure).toEqual([]);
    expect(plan.failures[0]).toMatchObject({ target: '0000:03:00.0', ok: false });
    expect(plan.failures[0]!.error).toMatch(reason);
  });

  it('fails a wanted PF that is not here, and never touches a PF the vendor data does not name', () => {
    const other = pf({ address: '0000:04:00.0', portGuid: G('04bd700300374487') });
    const plan = planSriov(intent(VF_GUIDS, G('04bd7003003744ff')), { pfs: [pf(), other] });
    expect(plan.failures).toMatchObject([{ target: '04bd7003003744ff', error: 'no Mellanox InfiniBand PF with port GUID 04bd7003003744ff on this machine' }]);
    expect(plan.untouched).toEqual(['0000:03:00.0', '0000:04:00.0']);
    expect(plan.configure).toEqual([]);
  });
});
