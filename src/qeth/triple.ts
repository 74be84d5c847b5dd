// Chooses the read/write/data triple of a qeth device (reference §1.3, DESIGN §4 step 1).
import type { BusId } from '../values/bus-id.js';
import { busIdPlus } from '../values/bus-id.js';
import type { CcwState, QethSnapshot } from './snapshot.js';

export type Triple = readonly [read: BusId, write: BusId, data: BusId];
export type TripleChoice = { ok: true; triple: Triple; why: string } | { ok: false; reason: string };

/**
 * write = read+1 (IBM's rule); data = read+2 when it is a free device of the
 * same CU type and CHPID (DPM hands out consecutive triples), otherwise the
 * next free such device after write, as lsznet.raw pairs them. `reserved`
 * holds devices other entries need, which are never taken as data.
 */
export function chooseTriple(snapshot: QethSnapshot, read: BusId, reserved: ReadonlySet<string>): TripleChoice {
  const readDev = snapshot.ccw[read];
  const write = busIdPlus(read, 1);
  const writeDev = write === undefined ? undefined : snapshot.ccw[write];
  if (!readDev || !write) return { ok: false, reason: `channel device ${read} not found` };
  if (!writeDev) return { ok: false, reason: `write device ${write} (read+1) not found` };
  const mismatch = memberMismatch(readDev, writeDev);
  if (mismatch) return { ok: false, reason: `write device ${write} ${mismatch}` };
  const next = busIdPlus(read, 2);
  const nextDev = next === undefined ? undefined : snapshot.ccw[next];
  if (next && nextDev && !reserved.has(next) && !memberMismatch(readDev, nextDev)) {
    return { ok: true, triple: [read, write, next], why: 'data = read+2' };
  }
  if (!snapshot.ccwComplete) return { ok: false, reason: `data device ${next ?? '(none)'} (read+2) not usable` };
  const data = Object.values(snapshot.ccw)
    .filter((dev) => dev.busId > write && !reserved.has(dev.busId) && !memberMismatch(readDev, dev))
    .sort((a, b) => (a.busId < b.busId ? -1 : 1))[0];
  if (!data) return { ok: false, reason: `no free data device with CU type ${readDev.cutype} on CHPID ${readDev.chpid ?? '?'} after ${write}` };
  return { ok: true, triple: [read, write, data.busId], why: `data = ${data.busId}, the next free device on CHPID ${readDev.chpid ?? '?'} (read+2 is not usable)` };
}

/** Why `dev` cannot join a group led by `read`, or undefined when it can. */
export function memberMismatch(read: CcwState, dev: CcwState): string | undefined {
  if (dev.groupDevice) return `is already in group ${dev.groupDevice}`;
  if (dev.online) return 'is online on its own';
  if (dev.cutype !== read.cutype) return `has CU type ${dev.cutype}, the read device ${read.cutype}`;
  if (read.chpid && dev.chpid && dev.chpid !== read.chpid) return `is on CHPID ${dev.chpid}, the read device on ${read.chpid}`;
  return undefined;
}
