// Pure planning: vendor-data intent + observed PFs → per-PF configure plans and per-VF bind plans (DESIGN §6).
import type { Action, Result, TargetPlan } from '../plan/action.js';
import type { Guid } from '../values/guid.js';
import { netlinkGuidActions } from './backends/netlink.js';
import { ofedGuidActions } from './backends/ofed-sysfs.js';
import type { PfIntent, SriovIntent } from './intent.js';
import { VF_DRIVER_NAME, pciAttr, virtfn } from './paths.js';
import type { PfState, SriovSnapshot, VfState } from './snapshot.js';

export interface SriovPlan {
  /** Per PF: autoprobe, numvfs, wait for the VFs, GUIDs. PFs run concurrently. */
  configure: TargetPlan[];
  /** Per VF, keyed by its PF's address: bound in parallel once that PF's configure plan succeeded. */
  bind: Record<string, TargetPlan[]>;
  failures: Result[];
  /** PFs on this machine the vendor data does not name: never touched. */
  untouched: string[];
}

/** Waiting for VF links: s390x took 4.5 s for 16 VFs and 65 s for 125 (reference §1.6). */
export const vfAppearTimeoutMs = (n: number): number => 30_000 + 600 * n;
/** How long a VF may take to show its driver link after the bind write (mlx5 probe). */
export const BIND_TIMEOUT_MS = 30_000;

/** Plans every PF the intent names; a PF it cannot find or configure becomes a failure with the reason. */
export function planSriov(intent: SriovIntent, snapshot: SriovSnapshot): SriovPlan {
  const plan: SriovPlan = { configure: [], bind: {}, failures: [], untouched: [] };
  for (const wanted of intent.pfs) {
    const pf = snapshot.pfs.find((candidate) => candidate.portGuid === wanted.physicalGuid);
    if (!pf) {
      plan.failures.push(failure(wanted.physicalGuid, `no Mellanox InfiniBand PF with port GUID ${wanted.physicalGuid} on this machine`));
      continue;
    }
    const problem = capacityProblem(pf, wanted.vfGuids.length);
    if (problem) {
      plan.failures.push(failure(pf.address, problem));
      continue;
    }
    if (isConverged(pf, wanted.vfGuids)) {
      plan.configure.push({ target: pf.address, actions: [] });
      continue;
    }
    const { configure, bind } = planPf(pf, wanted);
    plan.configure.push(configure);
    plan.bind[pf.address] = bind;
  }
  plan.untouched = snapshot.pfs.filter((pf) => !intent.pfs.some((w) => w.physicalGuid === pf.portGuid)).map((pf) => pf.address);
  return plan;
}

function failure(target: string, error: string): Result {
  return { target, ok: false, changed: false, error };
}

function capacityProblem(pf: PfState, n: number): string | undefined {
  if (!pf.sriov) return 'SR-IOV is disabled in the adapter firmware (no sriov_* files): enable SRIOV_EN and set NUM_OF_VFS with mstconfig, then reboot';
  if (pf.sriov.totalVfs < n) return `the vendor data wants ${n} VFs but the adapter firmware allows ${pf.sriov.totalVfs} (raise NUM_OF_VFS with mstconfig, then reboot)`;
  return undefined;
}

/** Nothing to do: n VFs, each bound, seeing the wanted GUIDs (and, with OFED, policy Follow). */
function isConverged(pf: PfState, guids: readonly Guid[]): boolean {
  return pf.sriov?.numVfs === guids.length && guids.every((guid, k) => vfIsDone(pf.vfs[k], guid));
}

function vfIsDone(vf: VfState | undefined, guid: Guid): boolean {
  if (!vf || vf.driver !== VF_DRIVER_NAME || seesOtherGuid(vf, guid)) return false;
  return vf.ofed === null || (vf.ofed.node === guid && vf.ofed.port === guid && vf.ofed.policy === 'Follow');
}

/** The VF was probed with other GUIDs: its ibdev node GUID, or the port GUID in its IPoIB address (when it has one). */
function seesOtherGuid(vf: VfState, guid: Guid): boolean {
  return vf.seenNodeGuid !== guid || (vf.seenPortGuid !== null && vf.seenPortGuid !== guid);
}

function planPf(pf: PfState, wanted: PfIntent): { configure: TargetPlan; bind: TargetPlan[] } {
  const target = pf.address;
  const n = wanted.vfGuids.length;
  const current = pf.sriov!.numVfs;
  const autoprobeOn = pf.sriov!.autoprobe !== '0';
  const actions: Action[] = [];
  const onFailure: Action[] = [];
  const recreate = current !== n;
  // VFs created now must not probe before their GUIDs are in firmware: hold autoprobe off meanwhile.
  const holdAutoprobe = recreate && autoprobeOn;
  if (holdAutoprobe) {
    actions.push({ op: 'write', target, path: pciAttr(target, 'sriov_drivers_autoprobe'), value: '0', why: 'new VFs must not bind before their GUIDs are set' });
    onFailure.push({ op: 'write', target, path: pciAttr(target, 'sriov_drivers_autoprobe'), value: '1', why: 'restore autoprobe so later VFs of this PF still bind' });
  }
  if (recreate && current !== 0) {
    actions.push({ op: 'write', target, path: pciAttr(target, 'sriov_numvfs'), value: '0', why: `DISRUPTIVE: ${current} VFs exist but ${n} are wanted; the kernel only changes the count through 0` });
  }
  if (recreate) actions.push({ op: 'write', target, path: pciAttr(target, 'sriov_numvfs'), value: String(n), why: `create ${n} VFs` });
  wanted.vfGuids.forEach((_, k) => actions.push({ op: 'wait', target, path: virtfn(target, k), until: { kind: 'exists' }, timeoutMs: vfAppearTimeoutMs(n), why: 'VFs appear asynchronously (s390x)' }));
  wanted.vfGuids.forEach((guid, k) => {
    const vf = recreate ? undefined : pf.vfs[k];
    if (vf?.ofed && vf.ofed.node === guid && vf.ofed.port === guid && vf.ofed.policy === 'Follow') return;
    actions.push(...(pf.ofed ? ofedGuidActions(target, target, k, guid) : netlinkGuidActions(target, pf.netdevs[0]!, k, guid)));
  });
  if (holdAutoprobe) actions.push({ op: 'write', target, path: pciAttr(target, 'sriov_drivers_autoprobe'), value: '1', why: 'restore autoprobe before binding: with autoprobe 0 a bind fails with ENODEV' });
  const bind = wanted.vfGuids.map((guid, k): TargetPlan => {
    const vf = recreate ? undefined : pf.vfs[k];
    // IPoIB copies GID 0 (the port GUID) at probe just as mlx5_ib copies the node GUID: either stale needs a rebind.
    const rebind = vf?.driver != null && seesOtherGuid(vf, guid);
    return {
      target: `${target}/vf${k}`,
      actions: vf?.driver === VF_DRIVER_NAME && !rebind ? [] : [
        { op: 'bind-vf', target: `${target}/vf${k}`, path: virtfn(target, k), value: VF_DRIVER_NAME, rebind, override: !autoprobeOn, timeoutMs: BIND_TIMEOUT_MS, why: rebind ? 'the VF still sees its old GUID until it is probed again' : 'probe the VF with its GUIDs in place' },
      ],
    };
  });
  return { configure: { target, actions, onFailure }, bind };
}
