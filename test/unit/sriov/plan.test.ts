// planSriov and planBinds are pure: intent + snapshot in, plain steps out. Kernel behaviour is tested on the simulator.
import { describe, expect, it } from 'vitest';
import type { Action } from '../../../src/plan/action.js';
import type { SriovIntent } from '../../../src/sriov/intent.js';
import { missingPfFailure, planBinds, planSriov } from '../../../src/sriov/plan.js';
import type { PfState, VfState } from '../../../src/sriov/snapshot.js';
import type { Guid } from '../../../src/values/guid.js';
import { SRIOV_INTENT_RECORD } from '../../../src/sriov/paths.js';
import { STATE_DIR } from '../../../src/state.js';

const G = (hex: string) => hex as Guid;
const PF = '0000:03:00.0';
const PF_GUID = G('04bd700300374486');
const VF_GUIDS = [G('fefeab03004f86b9'), G('fefe2b03002a5777')];
const RECORD = '/run/guest-boot-agent/sriov-intent.json';
const intent = (guids: Guid[] = VF_GUIDS, physicalGuid = PF_GUID): SriovIntent => ({ pfs: [{ physicalGuid, vfGuids: guids }], dynamicPkey: null, defaultLimitedPkeys: [] });
const pf = (extra: Partial<PfState> = {}): PfState => ({ address: PF, netdevs: ['ib0'], portGuid: PF_GUID, sriov: { totalVfs: 8, numVfs: 0, autoprobe: '1' }, ofed: true, vfs: [], ...extra });
const vf = (index: number, guid: Guid, extra: Partial<VfState> = {}): VfState => ({ index, address: `0000:03:00.${index + 1}`, physfn: PF, driver: 'mlx5_core', override: null, seenNodeGuid: guid, seenPortGuid: guid, ofed: { node: guid, port: guid, policy: 'Follow' }, ...extra });
const fresh = (index: number, extra: Partial<VfState> = {}) => vf(index, VF_GUIDS[index]!, { driver: null, seenNodeGuid: null, seenPortGuid: null, ...extra });
const lines = (actions: readonly Action[]) =>
  actions.map((a) => {
    const path = a.path.replace(`/sys/bus/pci/devices/${PF}/`, '');
    if (a.op === 'exec') return `exec ${a.args.join(' ')}`;
    if (a.op === 'write') return `write ${path} ${JSON.stringify(a.value)}${a.tolerate ? ` tolerate ${a.tolerate.join(',')}` : ''}`;
    if (a.op === 'wait') return `wait ${path}${a.until.kind === 'links-to' ? ` → ${a.until.name}` : ''}`;
    if (a.op === 'remember') return `remember ${a.key.replace(`/sys/bus/pci/devices/${PF}/`, '')} ${JSON.stringify(a.value)}`;
    if (a.op === 'forget') return `forget ${a.key.replace(`/sys/bus/pci/devices/${PF}/`, '')}`;
    return a.op;
  });

describe('planSriov: phase 1 per PF', () => {
  it('keeps the intent record beside the run records', () => {
    expect(SRIOV_INTENT_RECORD).toBe(`${STATE_DIR}/sriov-intent.json`);
  });

  it('creates VFs on a fresh OFED PF with autoprobe held off (recorded first), GUIDs in colon form per VF, autoprobe back', () => {
    const [pipeline] = planSriov(intent(), { pfs: [pf()] }).pipelines;
    const all = [pipeline!.configure, ...pipeline!.guids, pipeline!.release].flatMap((plan) => plan.actions);
    expect(all.filter((a) => a.op === 'remember' || a.op === 'forget').every((a) => a.path === RECORD)).toBe(true);
    expect(lines(pipeline!.configure.actions)).toEqual(['remember sriov_drivers_autoprobe "1"', 'write sriov_drivers_autoprobe "0"', 'write sriov_numvfs "2"']);
    expect(lines(pipeline!.configure.onFailure!)).toEqual(['write sriov_drivers_autoprobe "1"', 'forget sriov_drivers_autoprobe']);
    // One target per VF (run concurrently): its own link first, then policy and both GUIDs.
    expect(pipeline!.guids.map((plan) => [plan.target, lines(plan.actions)])).toEqual([
      [`${PF}/vf0`, ['wait virtfn0', 'write sriov/0/policy "Follow"', 'write sriov/0/node "fe:fe:ab:03:00:4f:86:b9"', 'write sriov/0/port "fe:fe:ab:03:00:4f:86:b9"']],
      [`${PF}/vf1`, ['wait virtfn1', 'write sriov/1/policy "Follow"', 'write sriov/1/node "fe:fe:2b:03:00:2a:57:77"', 'write sriov/1/port "fe:fe:2b:03:00:2a:57:77"']],
    ]);
    expect(pipeline!.guids.flatMap((plan) => plan.actions).every((a) => a.target.startsWith(`${PF}/vf`))).toBe(true);
    // Autoprobe back after every VF, and its undo is the same restore (a signal or the deadline still puts it back).
    expect(lines(pipeline!.release.actions)).toEqual(['write sriov_drivers_autoprobe "1"', 'forget sriov_drivers_autoprobe']);
    expect(lines(pipeline!.release.onFailure!)).toEqual(['write sriov_drivers_autoprobe "1"', 'forget sriov_drivers_autoprobe']);
    expect(pipeline!.recreates).toBe(true);
  });

  it('shows phase 2 before the VFs exist through their virtfn links (the dry run)', () => {
    const [pipeline] = planSriov(intent(), { pfs: [pf()] }).pipelines;
    expect(lines(pipeline!.bind[0]!.actions)).toEqual(['write /sys/bus/pci/drivers/mlx5_core/bind "0000:03:00.0/virtfn0" tolerate EBUSY', 'wait virtfn0/driver → mlx5_core']);
  });

  it('uses ip link on the parent netdev when the OFED files are absent (inbox driver)', () => {
    const [pipeline] = planSriov(intent(), { pfs: [pf({ ofed: false, netdevs: ['ib0', 'ib0.8001'] })] }).pipelines;
    expect(pipeline!.guids.flatMap((plan) => lines(plan.actions)).filter((l) => l.startsWith('exec'))).toEqual([
      'exec link set dev ib0 vf 0 node_guid fe:fe:ab:03:00:4f:86:b9 port_guid fe:fe:ab:03:00:4f:86:b9 state auto',
      'exec link set dev ib0 vf 1 node_guid fe:fe:2b:03:00:2a:57:77 port_guid fe:fe:2b:03:00:2a:57:77 state auto',
    ]);
  });

  it('plans nothing for a PF that already has the VFs, bound, seeing the wanted GUIDs', () => {
    const done = pf({ sriov: { totalVfs: 8, numVfs: 2, autoprobe: '1' }, vfs: [vf(0, VF_GUIDS[0]!), vf(1, VF_GUIDS[1]!)] });
    const plan = planSriov(intent(), { pfs: [done] });
    expect(plan.pipelines[0]!.configure.actions).toEqual([]);
    expect(plan.pipelines[0]!.guids).toEqual([]);
    expect(plan.pipelines[0]!.release.actions).toEqual([]);
    expect(plan.pipelines[0]!.bind.map((b) => b.actions)).toEqual([[], []]);
    expect(plan.failures).toEqual([]);
  });

  it('goes through 0 when a different non-zero number of VFs exists, and says it is disruptive', () => {
    const [pipeline] = planSriov(intent(), { pfs: [pf({ sriov: { totalVfs: 8, numVfs: 4, autoprobe: '1' } })] }).pipelines;
    expect(lines(pipeline!.configure.actions).slice(1, 4)).toEqual(['write sriov_drivers_autoprobe "0"', 'write sriov_numvfs "0"', 'write sriov_numvfs "2"']);
    expect(pipeline!.configure.actions[2]!.why).toMatch(/^DISRUPTIVE/);
  });

  it("reads a killed run's autoprobe=0 from the intent record as held, not as the operator's: restores it, then holds it as usual", () => {
    const autoprobe = `/sys/bus/pci/devices/${PF}/sriov_drivers_autoprobe`;
    const [pipeline] = planSriov(intent(), { pfs: [pf({ sriov: { totalVfs: 8, numVfs: 2, autoprobe: '0' }, vfs: [fresh(0), fresh(1)] })] }, { [autoprobe]: '1' }).pipelines;
    expect(pipeline!.override).toBe(false);
    expect(lines(pipeline!.configure.actions).slice(0, 2)).toEqual(['write sriov_drivers_autoprobe "1"', 'forget sriov_drivers_autoprobe']);
  });

  it('waits for VF links that are still missing although the count is right (a killed run, s390x hotplug)', () => {
    const [pipeline] = planSriov(intent(), { pfs: [pf({ sriov: { totalVfs: 8, numVfs: 2, autoprobe: '1' }, vfs: [vf(0, VF_GUIDS[0]!), fresh(1, { address: null })] })] }).pipelines;
    // The GUIDs are in firmware already (OFED's files say so): each VF only waits for its link.
    expect(pipeline!.configure.actions).toEqual([]);
    expect(pipeline!.guids.map((plan) => lines(plan.actions))).toEqual([['wait virtfn0'], ['wait virtfn1']]);
    expect(pipeline!.recreates).toBe(false);
  });

  it('binds through driver_override when autoprobe was already off, and leaves autoprobe alone', () => {
    const [pipeline] = planSriov(intent(), { pfs: [pf({ sriov: { totalVfs: 8, numVfs: 0, autoprobe: '0' } })] }).pipelines;
    expect(lines(pipeline!.configure.actions).filter((l) => l.includes('autoprobe'))).toEqual([]);
    expect(pipeline!.override).toBe(true);
  });

  it.each([
    ['SR-IOV off in firmware', pf({ sriov: null }), /SR-IOV is disabled in the adapter firmware.*SRIOV_EN.*NUM_OF_VFS/],
    ['too few VFs allowed', pf({ sriov: { totalVfs: 1, numVfs: 0, autoprobe: '1' } }), /wants 2 VFs but the adapter firmware allows 1 \(raise NUM_OF_VFS/],
  ])('fails a PF with %s, naming the firmware setting', (_name, state, reason) => {
    const plan = planSriov(intent(), { pfs: [state] });
    expect(plan.pipelines).toEqual([]);
    expect(plan.failures[0]).toMatchObject({ target: PF, ok: false });
    expect(plan.failures[0]!.error).toMatch(reason);
  });

  it('lists a wanted PF that is not here as missing (to wait for), and never touches a PF the vendor data does not name', () => {
    const other = pf({ address: '0000:04:00.0', portGuid: G('04bd700300374487') });
    const plan = planSriov(intent(VF_GUIDS, G('04bd7003003744ff')), { pfs: [pf(), other] });
    expect(plan.missing.map((m) => m.physicalGuid)).toEqual(['04bd7003003744ff']);
    expect(plan.untouched).toEqual([PF, '0000:04:00.0']);
    expect(plan.pipelines).toEqual([]);
    expect(missingPfFailure(plan.missing[0]!, [pf(), other], 30_000).error).toBe(
      'no Mellanox InfiniBand PF with port GUID 04bd7003003744ff appeared within 30 s; PFs present: 0000:03:00.0 (port GUID 04bd700300374486), 0000:04:00.0 (port GUID 04bd700300374487)',
    );
    expect(missingPfFailure(plan.missing[0]!, [], 30_000).error).toMatch(/PFs present: none$/);
  });
});

describe('planBinds: phase 2 on the VFs as observed', () => {
  const wanted = { physicalGuid: PF_GUID, vfGuids: VF_GUIDS };
  const observed = (vfs: VfState[]) => pf({ sriov: { totalVfs: 8, numVfs: 2, autoprobe: '1' }, vfs });

  it('binds each new VF at its concrete path, EBUSY tolerated, and waits for its driver link', () => {
    const { binds, failures } = planBinds(observed([fresh(0), fresh(1)]), { wanted, override: false });
    expect(failures).toEqual([]);
    expect(binds.map((b) => [b.target, lines(b.actions)])).toEqual([
      [`${PF}/vf0`, ['write /sys/bus/pci/drivers/mlx5_core/bind "0000:03:00.1" tolerate EBUSY', 'wait /sys/bus/pci/devices/0000:03:00.1/driver → mlx5_core']],
      [`${PF}/vf1`, ['write /sys/bus/pci/drivers/mlx5_core/bind "0000:03:00.2" tolerate EBUSY', 'wait /sys/bus/pci/devices/0000:03:00.2/driver → mlx5_core']],
    ]);
  });

  it('with autoprobe off: records, sets and clears driver_override around the bind; the undo clears it too', () => {
    const { binds } = planBinds(observed([fresh(0), fresh(1)]), { wanted, override: true });
    expect(lines(binds[0]!.actions)).toEqual([
      'remember /sys/bus/pci/devices/0000:03:00.1/driver_override "\\n"',
      'write /sys/bus/pci/devices/0000:03:00.1/driver_override "mlx5_core"',
      'write /sys/bus/pci/drivers/mlx5_core/bind "0000:03:00.1" tolerate EBUSY',
      'write /sys/bus/pci/devices/0000:03:00.1/driver_override "\\n"',
      'forget /sys/bus/pci/devices/0000:03:00.1/driver_override',
      'wait /sys/bus/pci/devices/0000:03:00.1/driver → mlx5_core',
    ]);
    expect(lines(binds[0]!.onFailure!)).toEqual(['write /sys/bus/pci/devices/0000:03:00.1/driver_override "\\n"', 'forget /sys/bus/pci/devices/0000:03:00.1/driver_override']);
  });

  it('unbinds from the driver it is bound to only where the VF still sees an old GUID (or another driver holds it)', () => {
    const stale = vf(1, VF_GUIDS[1]!, { seenNodeGuid: G('fefe000000000001') });
    const vfio = vf(0, VF_GUIDS[0]!, { driver: 'vfio-pci', seenNodeGuid: null, seenPortGuid: null });
    const { binds } = planBinds(observed([vfio, stale]), { wanted, override: false });
    expect(lines(binds[0]!.actions)[0]).toBe('write /sys/bus/pci/drivers/vfio-pci/unbind "0000:03:00.1"');
    expect(lines(binds[1]!.actions)[0]).toBe('write /sys/bus/pci/drivers/mlx5_core/unbind "0000:03:00.2"');
  });

  it('clears a driver_override a killed run left on a VF that is otherwise done (converged includes it)', () => {
    const { binds } = planBinds(observed([vf(0, VF_GUIDS[0]!, { override: 'mlx5_core' }), vf(1, VF_GUIDS[1]!)]), { wanted, override: false });
    expect(lines(binds[0]!.actions)).toEqual(['write /sys/bus/pci/devices/0000:03:00.1/driver_override "\\n"', 'forget /sys/bus/pci/devices/0000:03:00.1/driver_override']);
    expect(binds[1]!.actions).toEqual([]);
  });

  it("never touches a function whose physfn is another PF's, nor a link that resolves to nothing", () => {
    const foreign = fresh(0, { physfn: '0000:04:00.0' });
    const { binds, failures } = planBinds(observed([foreign, fresh(1, { address: null })]), { wanted, override: false });
    expect(binds).toEqual([]);
    expect(failures).toEqual([
      { target: `${PF}/vf0`, ok: false, changed: false, error: '0000:03:00.1 belongs to 0000:04:00.0, not 0000:03:00.0: left alone' },
      { target: `${PF}/vf1`, ok: false, changed: false, error: `/sys/bus/pci/devices/${PF}/virtfn1 does not resolve to a VF` },
    ]);
  });
});
