// Pure planning: cmdline entries + observed state → the actions that configure each qeth device (DESIGN §4).
import type { NicEntry } from '../cmdline/nic-entries.js';
import type { Action, Result, TargetPlan } from '../plan/action.js';
import type { BusId } from '../values/bus-id.js';
import { busIdPlus, predictableName } from '../values/bus-id.js';
import { isIgnored } from './cio-ignore.js';
import { macSteps } from './mac-steps.js';
import { CIO_IGNORE, CIO_SETTLE, QETH_GROUP, ccwAttr, ccwDevice, groupAttr, groupDevice, groupNetDir } from './paths.js';
import type { GroupState, QethSnapshot } from './snapshot.js';
import { QETH_CUTYPES } from './snapshot.js';
import type { Triple } from './triple.js';
import { chooseTriple } from './triple.js';

export interface QethPlanOptions {
  /** Take a mismatching online device offline to reconfigure it (disruptive). */
  force: boolean;
  /** The prepare steps already ran: plan none, and fail the devices if the driver is still missing. */
  afterPrepare: boolean;
}

export interface QethPlan {
  /** Shared steps that must finish before the devices are re-observed: module load, cio_ignore free. */
  prepare: TargetPlan[];
  /** One plan per device, run in parallel. */
  devices: TargetPlan[];
  /** Devices that cannot be configured, with the reason. */
  failures: Result[];
  /** What `prepare` frees from cio_ignore; after the run, `planRehide` hides again what was not grouped. */
  freed: BusId[];
}

export const TIMEOUTS = { modprobeMs: 30_000, appearMs: 10_000, renameMs: 10_000 } as const;

/** Plans the whole qeth job. Calling it again on a re-observed snapshot yields an empty `prepare`. */
export function planQeth(entries: readonly NicEntry[], snapshot: QethSnapshot, options: QethPlanOptions): QethPlan {
  const reserved = new Set(entries.flatMap((e) => [e.busId, busIdPlus(e.busId, 1) ?? '']));
  const devices: TargetPlan[] = [];
  const failures: Result[] = [];
  if (options.afterPrepare && !snapshot.driverLoaded) {
    const error = 'the qeth driver is not available (modprobe qeth failed; see above)';
    return { prepare: [], devices, failures: entries.map((e) => ({ target: e.busId, ok: false, changed: false, error })), freed: [] };
  }
  const freed = options.afterPrepare ? [] : toFree(entries, snapshot);
  for (const entry of entries) {
    const planned = planDevice(entry, snapshot, reserved, options);
    if ('reason' in planned) {
      const keptHidden = consecutive(entry.busId).filter((id) => !snapshot.ccw[id] && isIgnored(snapshot.cioIgnore, id) && !freed.includes(id));
      const note = keptHidden.length > 0 ? `; ${keptHidden.join(', ')} stay${keptHidden.length === 1 ? 's' : ''} hidden by cio_ignore (nothing freed for it)` : '';
      failures.push({ target: entry.busId, ok: false, changed: false, error: `${planned.reason}${note}` });
    } else devices.push({ target: entry.busId, actions: planned.actions });
  }
  return { prepare: options.afterPrepare ? [] : planPrepare(snapshot, freed), devices, failures, freed };
}

/**
 * The devices of each entry's consecutive triple that are on the cio_ignore list, but only for an entry that may be a
 * qeth device: its read device hidden too (what it is cannot be seen before freeing it), or visible as
 * OSA/HiperSockets and in no other group. An administrator hides devices on purpose: next to a visible non-qeth
 * device, nothing is freed (DESIGN §4). A listed device that is still registered (a run that hid again what it could
 * not group: `add` does not unregister) is freed too, so the list ends as a run that grouped it at once leaves it.
 */
function toFree(entries: readonly NicEntry[], snapshot: QethSnapshot): BusId[] {
  const mayBeQeth = (read: BusId) => {
    const device = snapshot.ccw[read];
    if (!device) return isIgnored(snapshot.cioIgnore, read);
    return QETH_CUTYPES[device.cutype] !== undefined && (device.groupDevice === null || device.groupDevice === read);
  };
  const listed = entries.filter((e) => mayBeQeth(e.busId)).flatMap((e) => consecutive(e.busId)).filter((id) => isIgnored(snapshot.cioIgnore, id));
  return [...new Set(listed)];
}

/**
 * After the run: hide again (`add`) what `freed` released but no group took, as the administrator had it. The kernel
 * keeps such a device registered until `purge` or the next boot; `add` only stops it reappearing on a re-scan —
 * `purge` is not written, since it would also drop offline devices the administrator hid without purging.
 */
export function planRehide(freed: readonly BusId[], after: QethSnapshot): TargetPlan[] {
  const grouped = (id: BusId) => after.ccw[id]?.groupDevice != null || after.groups[id] !== undefined;
  const ungrouped = freed.filter((id) => !grouped(id));
  if (ungrouped.length === 0) return [];
  return [
    {
      target: 'cio_ignore',
      actions: [{ op: 'write', target: 'cio_ignore', path: CIO_IGNORE, value: `add ${ungrouped.join(',')}`, why: 'freed by this run but not grouped: hidden again, as the administrator had it' }],
    },
  ];
}

function planPrepare(snapshot: QethSnapshot, freed: readonly BusId[]): TargetPlan[] {
  const prepare: TargetPlan[] = [];
  if (!snapshot.driverLoaded) {
    prepare.push({
      target: 'qeth-driver',
      actions: [
        { op: 'exec', target: 'qeth-driver', path: 'modprobe', args: ['-a', 'qeth', 'qeth_l2'], timeoutMs: TIMEOUTS.modprobeMs, why: 'the qeth driver is not loaded; qeth_l2 too, so online does not depend on on-demand loading (-a: without it kmod reads qeth_l2 as a parameter of qeth)' },
        { op: 'wait', target: 'qeth-driver', path: QETH_GROUP, until: { kind: 'exists' }, timeoutMs: TIMEOUTS.appearMs, why: 'the group file appears once qeth has registered' },
      ],
    });
  }
  if (freed.length > 0) {
    const list = freed.join(',');
    prepare.push({
      target: 'cio_ignore',
      actions: [
        { op: 'write', target: 'cio_ignore', path: CIO_IGNORE, value: `free ${list}`, why: 'these devices are hidden by cio_ignore' },
        { op: 'write', target: 'cio_ignore', path: CIO_SETTLE, value: '1', why: 'returns once the channel subsystem has registered the freed devices' },
      ],
    });
  }
  return prepare;
}

type DevicePlan = { actions: Action[] } | { reason: string };

function planDevice(entry: NicEntry, snapshot: QethSnapshot, reserved: Set<string>, options: QethPlanOptions): DevicePlan {
  const read = entry.busId;
  const group = snapshot.groups[read];
  if (group) return configure(entry, group, options);
  const readDev = snapshot.ccw[read];
  if (!readDev) {
    if (!isIgnored(snapshot.cioIgnore, read)) return { reason: `channel device ${read} does not exist (and is not hidden by cio_ignore)` };
    // Freed just now or about to be: DPM's consecutive triple is the only one we can name before it appears.
    const triple = consecutive(read) as unknown as Triple;
    const appear = triple.map((id): Action => ({ op: 'wait', target: read, path: ccwDevice(id), until: { kind: 'exists' }, timeoutMs: TIMEOUTS.appearMs, why: 'freed from cio_ignore; the channel subsystem registers it asynchronously' }));
    return withGroup(entry, [...appear, ...grouping(read, triple, 'assumed consecutive (the devices are not visible yet)')], options);
  }
  if (readDev.groupDevice && readDev.groupDevice !== read) return { reason: `${read} is already a member of group ${readDev.groupDevice}` };
  if (!QETH_CUTYPES[readDev.cutype]) return { reason: `${read} has CU type ${readDev.cutype}, not a qeth device (1731/01 OSA, 1731/05 HiperSockets)` };
  const choice = chooseTriple(snapshot, read, new Set([...reserved].filter((id) => id !== read && id !== busIdPlus(read, 1))));
  if (!choice.ok) return { reason: choice.reason };
  for (const id of choice.triple) reserved.add(id);
  const bind = choice.triple
    .filter((id) => !snapshot.ccw[id]?.boundToQeth)
    .map((id): Action => ({ op: 'wait', target: read, path: ccwAttr(id, 'driver'), until: { kind: 'exists' }, timeoutMs: TIMEOUTS.appearMs, why: 'the qeth ccw driver binds the device after the module loads' }));
  return withGroup(entry, [...bind, ...grouping(read, choice.triple, choice.why)], options);
}

function consecutive(read: BusId): BusId[] {
  return [0, 1, 2].map((offset) => busIdPlus(read, offset)).filter((id): id is BusId => id !== undefined);
}

function grouping(read: BusId, triple: Triple, why: string): Action[] {
  return [
    { op: 'write', target: read, path: QETH_GROUP, value: triple.join(','), why: `group read,write,data; ${why}` },
    { op: 'wait', target: read, path: groupDevice(read), until: { kind: 'exists' }, timeoutMs: TIMEOUTS.appearMs, why: 'the group device is registered by the write' },
  ];
}

function withGroup(entry: NicEntry, groupActions: Action[], options: QethPlanOptions): DevicePlan {
  const rest = configure(entry, undefined, options);
  return 'reason' in rest ? rest : { actions: [...groupActions, ...rest.actions] };
}

/** Settings, online and MAC for a group that exists (observed) or is about to (undefined). */
function configure(entry: NicEntry, group: GroupState | undefined, options: QethPlanOptions): DevicePlan {
  const read = entry.busId;
  const actions: Action[] = [];
  const matches = group?.portno === entry.port && group?.layer2 === 1;
  if (group?.online && !matches) {
    if (!options.force) {
      return { reason: `online with portno=${group.portno} layer2=${group.layer2}, the cmdline wants portno=${entry.port} layer2=1; not disrupting a running interface (--force reconfigures it)` };
    }
    actions.push({ op: 'write', target: read, path: groupAttr(read, 'online'), value: '0', why: '--force: portno and layer2 can only change while offline' });
  }
  if (!group?.online || !matches) {
    // Only what differs: a fresh group (undefined) reads layer2=-1, so both are written.
    if (group?.layer2 !== 1) actions.push({ op: 'write', target: read, path: groupAttr(read, 'layer2'), value: '1', why: 'DPM NICs run in layer 2' });
    if (group?.portno !== entry.port) actions.push({ op: 'write', target: read, path: groupAttr(read, 'portno'), value: String(entry.port), why: `adapter port ${entry.port} from the cmdline` });
    actions.push({ op: 'write', target: read, path: groupAttr(read, 'online'), value: '1', okIfAlready: true, why: 'blocks until the card is up; registers the interface' });
  }
  if (entry.mac) {
    actions.push(...macSteps(read, entry.mac, { under: groupNetDir(read), expectedName: predictableName(read), timeoutMs: TIMEOUTS.renameMs }, 'MAC from the cmdline, once udev has named the interface'));
  }
  return { actions };
}
