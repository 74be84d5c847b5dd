// Pure planning (DESIGN §6, §7): vendor-data intent + observed PFs → per PF a pipeline of two planned phases.
// Phase 1: the PF holds autoprobe and sets the VF count (configure); each VF waits for its virtfn link and gets its
// GUIDs (one target per VF, so the VFs' firmware commands run concurrently, and on s390x a VF that arrived is set up
// while later ones are still being hot-plugged); the PF restores autoprobe (release). The VFs are then observed
// again (their PCI addresses exist only now) and phase 2 (bind) is planned on what is really there: per VF unbind,
// driver_override, bind, clear, and a wait on its driver link, each a plain step with a concrete path.
import type { Action, Result, TargetPlan } from '../plan/action.js';
import type { Restores } from '../plan/intent-record.js';
import type { Guid } from '../values/guid.js';
import { netlinkGuidActions } from './backends/netlink.js';
import { ofedGuidActions } from './backends/ofed-sysfs.js';
import type { PfIntent, SriovIntent } from './intent.js';
import { SRIOV_INTENT_RECORD, VF_DRIVER_NAME, pciAttr, pciDriverAttr, virtfn } from './paths.js';
import type { PfState, SriovSnapshot, VfState } from './snapshot.js';

/** One PF's way from its VF count to bound and verified VFs; PFs run their pipelines independently. */
export interface PfPipeline {
  pf: string;
  wanted: PfIntent;
  /** Phase 1 on the PF: autoprobe held off, numvfs. Its undo restores autoprobe. Empty when the PF is converged. */
  configure: TargetPlan;
  /** Phase 1 per VF (target `<pf>/vf<k>`): wait for its virtfn link, then its policy and GUIDs. Run concurrently,
   * after `configure`; only the VFs that need something. */
  guids: TargetPlan[];
  /** Phase 1 ends: autoprobe back on the PF (when it was held off). Runs even when a VF's GUIDs failed, and its undo
   * is the same restore, so a deadline or a signal still puts autoprobe back. */
  release: TargetPlan;
  /** Bind through driver_override: autoprobe is off on this PF by the operator's choice, and stays off. */
  override: boolean;
  /** Phase 1 creates VFs: phase 2 can only be planned after observing them again. */
  recreates: boolean;
  /** Phase 2 as it stands now (per VF). After a phase 1 that creates VFs, the real run plans it again from what
   * it observes; a dry run shows this, with the VFs named through their virtfn links. */
  bind: TargetPlan[];
  /** VFs phase 2 may not touch, as observed now (not this PF's, or no VF behind the link). */
  bindFailures: Result[];
}

export interface SriovPlan {
  pipelines: PfPipeline[];
  /** GUIDs the vendor data names that no PF has (yet): the caller may wait for them (mlx5 probe, zPCI hotplug). */
  missing: PfIntent[];
  failures: Result[];
  /** PFs on this machine the vendor data does not name: never touched. */
  untouched: string[];
}

/** Waiting for VF links: s390x took 4.5 s for 16 VFs and 65 s for 125 (reference §1.6). */
export const vfAppearTimeoutMs = (n: number): number => 30_000 + 600 * n;
/** How long a VF may take to show its driver link after the bind write (mlx5 probe). */
export const BIND_TIMEOUT_MS = 30_000;

/** Plans every PF the intent names. `held`: settings a killed run left and this run could not restore (intent record). */
export function planSriov(intent: SriovIntent, snapshot: SriovSnapshot, held: Restores = {}): SriovPlan {
  const plan: SriovPlan = { pipelines: [], missing: [], failures: [], untouched: [] };
  for (const wanted of intent.pfs) {
    const pf = snapshot.pfs.find((candidate) => candidate.portGuid === wanted.physicalGuid);
    if (!pf) plan.missing.push(wanted);
    else addPf(plan, pf, wanted, held);
  }
  plan.untouched = snapshot.pfs.filter((pf) => !intent.pfs.some((w) => w.physicalGuid === pf.portGuid)).map((pf) => pf.address);
  return plan;
}

/** Plans one PF (e.g. one that appeared late) into `plan`. */
export function addPf(plan: SriovPlan, pf: PfState, wanted: PfIntent, held: Restores = {}): void {
  const problem = capacityProblem(pf, wanted.vfGuids.length);
  if (problem) plan.failures.push(failure(pf.address, problem));
  else plan.pipelines.push(planPipeline(pf, wanted, held));
}

/** The line for a PF that never appeared: the GUID asked for and every PF that is there. */
export function missingPfFailure(wanted: PfIntent, present: readonly PfState[], waitedMs: number): Result {
  const found = present.length === 0 ? 'none' : present.map((pf) => `${pf.address} (port GUID ${pf.portGuid})`).join(', ');
  const what = waitedMs > 0 ? `appeared within ${Number((waitedMs / 1000).toFixed(1))} s` : 'is present (a real run waits for it, see --pf-wait)';
  return failure(wanted.physicalGuid, `no Mellanox InfiniBand PF with port GUID ${wanted.physicalGuid} ${what}; PFs present: ${found}`);
}

function failure(target: string, error: string): Result {
  return { target, ok: false, changed: false, error };
}

function capacityProblem(pf: PfState, n: number): string | undefined {
  if (!pf.sriov) return 'SR-IOV is disabled in the adapter firmware (no sriov_* files): enable SRIOV_EN and set NUM_OF_VFS with mstconfig, then reboot';
  if (pf.sriov.totalVfs < n) return `the vendor data wants ${n} VFs but the adapter firmware allows ${pf.sriov.totalVfs} (raise NUM_OF_VFS with mstconfig, then reboot)`;
  return undefined;
}

/** The VF was probed with other GUIDs: its ibdev node GUID, or the port GUID in its IPoIB address (when it has one). */
function seesOtherGuid(vf: VfState, guid: Guid): boolean {
  return vf.seenNodeGuid !== guid || (vf.seenPortGuid !== null && vf.seenPortGuid !== guid);
}

/** The VF's GUIDs are in firmware: OFED's files say so; on an inbox driver only a bound VF seeing them proves it. */
function firmwareDone(vf: VfState | undefined, guid: Guid): boolean {
  if (!vf) return false;
  if (vf.ofed) return vf.ofed.node === guid && vf.ofed.port === guid && vf.ofed.policy === 'Follow';
  return vf.driver === VF_DRIVER_NAME && !seesOtherGuid(vf, guid);
}

function planPipeline(pf: PfState, wanted: PfIntent, held: Restores): PfPipeline {
  const target = pf.address;
  const n = wanted.vfGuids.length;
  const current = pf.sriov!.numVfs;
  const autoprobePath = pciAttr(target, 'sriov_drivers_autoprobe');
  // A killed run's own autoprobe=0 is not the operator's setting: the intent record says what it was.
  const autoprobeWas = held[autoprobePath] ?? pf.sriov!.autoprobe;
  const autoprobeOn = autoprobeWas !== '0';
  const actions: Action[] = [];
  const onFailure: Action[] = [];
  const undoHold = () => restoreSteps(target, autoprobePath, '1', 'restore autoprobe so later VFs of this PF still bind');
  if (held[autoprobePath] !== undefined && pf.sriov!.autoprobe !== held[autoprobePath]) {
    actions.push(...restoreSteps(target, autoprobePath, held[autoprobePath], 'a killed run held autoprobe off; put it back first'));
  }
  const recreates = current !== n;
  // VFs created now must not probe before their GUIDs are in firmware: hold autoprobe off meanwhile.
  const holdAutoprobe = recreates && autoprobeOn;
  if (holdAutoprobe) {
    actions.push({ op: 'remember', target, path: SRIOV_INTENT_RECORD, key: autoprobePath, value: '1', why: 'autoprobe is held off next: a run killed before the restore is undone by the next run' });
    actions.push({ op: 'write', target, path: autoprobePath, value: '0', why: 'new VFs must not bind before their GUIDs are set' });
    onFailure.push(...undoHold());
  }
  if (recreates && current !== 0) {
    actions.push({ op: 'write', target, path: pciAttr(target, 'sriov_numvfs'), value: '0', why: `DISRUPTIVE: ${current} VFs exist but ${n} are wanted; the kernel only changes the count through 0` });
  }
  if (recreates) actions.push({ op: 'write', target, path: pciAttr(target, 'sriov_numvfs'), value: String(n), why: `create ${n} VFs` });
  // Also when the count is right but links are missing: a killed run's VFs may still be arriving (s390x hotplug).
  const waitForLinks = recreates || wanted.vfGuids.some((_, k) => !pf.vfs[k]?.address);
  const guids = wanted.vfGuids
    .map((guid, k): TargetPlan => {
      const vf = `${target}/vf${k}`;
      const steps: Action[] = [];
      if (waitForLinks) steps.push({ op: 'wait', target: vf, path: virtfn(target, k), until: { kind: 'exists' }, timeoutMs: vfAppearTimeoutMs(n), why: 'VFs appear asynchronously (s390x)' });
      if (recreates || !firmwareDone(pf.vfs[k], guid)) steps.push(...(pf.ofed ? ofedGuidActions(vf, target, k, guid) : netlinkGuidActions(vf, pf.netdevs[0]!, k, guid)));
      return { target: vf, actions: steps };
    })
    .filter((plan) => plan.actions.length > 0);
  const release: TargetPlan = holdAutoprobe
    ? { target, actions: restoreSteps(target, autoprobePath, '1', 'restore autoprobe before binding: with autoprobe 0 a plain bind fails with ENODEV'), onFailure: undoHold() }
    : { target, actions: [] };
  const override = !autoprobeOn;
  // Before the VFs exist, the dry run names them through their links (sysfs resolves virtfn<k>/… to the VF).
  const vfs = recreates ? wanted.vfGuids.map((_, k): VfState => placeholderVf(target, k)) : pf.vfs;
  const planned = planBinds({ ...pf, vfs }, { wanted, override });
  return { pf: target, wanted, configure: { target, actions, onFailure }, guids, release, override, recreates, bind: planned.binds, bindFailures: planned.failures };
}

/** Put a recorded temporary setting back, then drop it from the record. */
function restoreSteps(target: string, path: string, value: string, why: string): Action[] {
  return [
    { op: 'write', target, path, value, why },
    { op: 'forget', target, path: SRIOV_INTENT_RECORD, key: path, why: 'the setting is back to normal' },
  ];
}

function placeholderVf(pf: string, k: number): VfState {
  return { index: k, address: `${pf}/virtfn${k}`, physfn: pf, driver: null, override: null, seenNodeGuid: null, seenPortGuid: null, ofed: null };
}

/**
 * Phase 2 of one PF on its VFs as observed after phase 1: only VFs whose `physfn` is this PF are touched (a VF that
 * is not is a failure, never unbound: sriov-network-operator once unbound the PF itself). Per VF, only what is needed:
 * nothing when bound to mlx5_core and seeing its GUIDs; else unbind (when bound), driver_override (autoprobe off),
 * bind (EBUSY tolerated: someone bound it in between), clear the override, and wait for the driver link, which is
 * the only proof (a bind write can succeed without a probe). A stale driver_override alone is cleared.
 */
export function planBinds(pf: PfState, pipeline: Pick<PfPipeline, 'wanted' | 'override'>): { binds: TargetPlan[]; failures: Result[] } {
  const binds: TargetPlan[] = [];
  const failures: Result[] = [];
  pipeline.wanted.vfGuids.forEach((guid, k) => {
    const target = `${pf.address}/vf${k}`;
    const vf = pf.vfs[k];
    if (!vf?.address) return void failures.push(failure(target, `${virtfn(pf.address, k)} does not resolve to a VF`));
    if (vf.physfn !== pf.address) return void failures.push(failure(target, `${vf.address} belongs to ${vf.physfn ?? 'no PF'}, not ${pf.address}: left alone`));
    binds.push({ target, ...bindSteps(target, { ...vf, address: vf.address }, guid, pipeline.override) });
  });
  return { binds, failures };
}

function bindSteps(target: string, vf: VfState & { address: string }, guid: Guid, override: boolean): Omit<TargetPlan, 'target'> {
  const overridePath = pciAttr(vf.address, 'driver_override');
  const clearOverride: Action[] = [
    { op: 'write', target, path: overridePath, value: '\n', why: 'driver_override back to none: later probes follow the ID table again' },
    { op: 'forget', target, path: SRIOV_INTENT_RECORD, key: overridePath, why: 'driver_override is back to normal' },
  ];
  const bound = vf.driver === VF_DRIVER_NAME && !seesOtherGuid(vf, guid);
  if (bound) return { actions: vf.override ? clearOverride : [] };
  const actions: Action[] = [];
  const onFailure: Action[] = [];
  if (vf.driver !== null) {
    const why = vf.driver === VF_DRIVER_NAME ? 'the VF still sees its old GUID until it is probed again' : `bound to ${vf.driver}, which does not give it the vendor data's GUIDs`;
    actions.push({ op: 'write', target, path: pciDriverAttr(vf.driver, 'unbind'), value: vf.address, why });
  }
  if (override) {
    actions.push(
      { op: 'remember', target, path: SRIOV_INTENT_RECORD, key: overridePath, value: '\n', why: 'driver_override is set next: a run killed before clearing it is undone by the next run' },
      { op: 'write', target, path: overridePath, value: VF_DRIVER_NAME, why: 'autoprobe is off on this PF: with it a VF may still be bound, and only to mlx5_core' },
    );
    onFailure.push(...clearOverride);
  } else if (vf.override) {
    actions.push(...clearOverride);
  }
  actions.push({ op: 'write', target, path: pciDriverAttr(VF_DRIVER_NAME, 'bind'), value: vf.address, tolerate: ['EBUSY'], why: 'probe the VF with its GUIDs in place (EBUSY: udev or autoprobe bound it in between; the wait below decides)' });
  if (override) actions.push(...clearOverride);
  actions.push({ op: 'wait', target, path: pciAttr(vf.address, 'driver'), until: { kind: 'links-to', name: VF_DRIVER_NAME }, timeoutMs: BIND_TIMEOUT_MS, why: 'a bind write can report success without a probe: only the driver link proves it' });
  return { actions, onFailure };
}
