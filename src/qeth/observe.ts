// Reads the qeth-related kernel state for the named devices (read-only: HostReader).
import { basename, dirname, resolve } from 'node:path/posix';
import type { HostReader } from '../host/host.js';
import type { BusId } from '../values/bus-id.js';
import { busIdPlus, parseBusId } from '../values/bus-id.js';
import { parseCioIgnore } from './cio-ignore.js';
import { CCW_DEVICES, CIO_IGNORE, QETH_DRIVER, ccwDevice, groupDevice } from './paths.js';
import type { CcwState, GroupState, QethSnapshot } from './snapshot.js';
import { memberMismatch } from './triple.js';

/** Observes the driver, cio_ignore, the triples of `readIds` and their groups. */
export async function observeQeth(host: HostReader, readIds: readonly BusId[]): Promise<QethSnapshot> {
  const [driverLoaded, cioText] = await Promise.all([
    host.sysfs.exists(QETH_DRIVER),
    host.sysfs.read(CIO_IGNORE).catch(() => ''),
  ]);
  const tripleIds = readIds.flatMap((id) => [id, busIdPlus(id, 1), busIdPlus(id, 2)]).filter(isBusId);
  const ccw = await readCcwDevices(host, tripleIds);
  // read+2 is the DPM norm; only when it does not fit is every device needed, to pick data like lsznet.raw.
  const ccwComplete = readIds.some((id) => !fitsAsData(ccw[id], ccw[busIdPlus(id, 2) ?? '']));
  if (ccwComplete) {
    const all = (await host.sysfs.list(CCW_DEVICES).catch(() => [])).map(parseBusId).filter(isBusId);
    Object.assign(ccw, await readCcwDevices(host, all.filter((id) => !(id in ccw))));
  }
  const groups: Record<string, GroupState> = {};
  for (const group of await Promise.all(readIds.map((id) => readGroup(host, id)))) {
    if (group) groups[group.busId] = group;
  }
  return { driverLoaded, cioIgnore: parseCioIgnore(cioText), ccw, groups, ccwComplete };
}

/** Whether read+2 can be data, by the same rule the planner applies (so the two never disagree). */
function fitsAsData(read: CcwState | undefined, data: CcwState | undefined): boolean {
  if (!read || read.groupDevice) return true; // nothing to choose
  return data !== undefined && memberMismatch(read, data) === undefined;
}

async function readCcwDevices(host: HostReader, ids: readonly BusId[]): Promise<Record<string, CcwState>> {
  const states = await Promise.all(ids.map((id) => readCcw(host, id)));
  return Object.fromEntries(states.filter((s): s is CcwState => s !== undefined).map((s) => [s.busId, s]));
}

/**
 * One channel device, read under its own directory in /sys/devices/css0: each access through the
 * /sys/bus/ccw/devices/<busId> link makes the kernel resolve the link again, so it is resolved once here (a missing
 * link is a device that is not there). Its subchannel (the parent directory) holds the CHPIDs.
 */
async function readCcw(host: HostReader, busId: BusId): Promise<CcwState | undefined> {
  const link = await host.sysfs.readlink(ccwDevice(busId)).catch(() => undefined);
  if (link === undefined) return undefined;
  const dir = resolve(CCW_DEVICES, link);
  const [cutype, online, group, driver, chpid] = await Promise.all([
    host.sysfs.read(`${dir}/cutype`).catch(() => 'unknown'),
    host.sysfs.read(`${dir}/online`).catch(() => '0'),
    linkName(host, `${dir}/group_device`),
    linkName(host, `${dir}/driver`),
    readChpid(host, dirname(dir)),
  ]);
  return { busId, cutype, online: online === '1', groupDevice: group, boundToQeth: driver === 'qeth', chpid };
}

/** The first installed CHPID of a subchannel: `chpids` lists all eight, pimpampom's first byte says which paths are
 * installed (bit 0x80 is path 0). */
async function readChpid(host: HostReader, subchannel: string): Promise<string | null> {
  const [chpids, pimpampom] = await Promise.all([host.sysfs.read(`${subchannel}/chpids`).catch(() => undefined), host.sysfs.read(`${subchannel}/pimpampom`).catch(() => '80')]);
  if (chpids === undefined) return null;
  const pim = Number.parseInt(pimpampom.slice(0, 2), 16);
  const path = [...Array(8).keys()].find((bit) => pim & (0x80 >> bit)) ?? 0;
  return chpids.trim().split(/\s+/)[path]?.toLowerCase() ?? null;
}

/** A group device, read under its own directory (the link resolved once, as for a channel device). */
async function readGroup(host: HostReader, busId: BusId): Promise<GroupState | undefined> {
  const link = await host.sysfs.readlink(groupDevice(busId)).catch(() => undefined);
  if (link === undefined) return undefined;
  const dir = resolve(dirname(groupDevice(busId)), link);
  const number = async (name: string) => {
    const value = Number.parseInt(await host.sysfs.read(`${dir}/${name}`).catch(() => ''), 10);
    return Number.isNaN(value) ? null : value;
  };
  const [online, portno, layer2, netdevs] = await Promise.all([number('online'), number('portno'), number('layer2'), host.sysfs.list(`${dir}/net`).catch(() => [])]);
  return { busId, online: online === 1, portno, layer2, netdevs };
}

async function linkName(host: HostReader, path: string): Promise<string | null> {
  return host.sysfs.readlink(path).then(basename, () => null);
}

function isBusId(value: BusId | undefined): value is BusId {
  return value !== undefined;
}
