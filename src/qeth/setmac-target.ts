// Parses setmac's <device> argument: an interface name, a bus id, or a udev devpath (DESIGN §5).
import type { BusId } from '../values/bus-id.js';
import { busIdSchema } from '../values/bus-id.js';
import { ifnameSchema } from '../values/ifname.js';

/** What the argument names; the missing half is looked up in sysfs. */
export type SetmacTarget =
  | { kind: 'devpath'; busId: BusId; ifname: string }
  /** A well-formed devpath of an interface whose parent is no qeth bus id (a PCI NIC, a virtual device). */
  | { kind: 'other-devpath'; device: string; ifname: string }
  | { kind: 'bus-id'; busId: BusId }
  | { kind: 'interface'; ifname: string };

// udev's DEVPATH of a qeth interface: /devices/qeth/<busid>/net/<ifname> (reference §2.4).
const DEVPATH = /^(?:\/sys)?\/devices\/(?:[A-Za-z0-9_.:-]+\/)*?(0\.[0-3]\.[0-9a-fA-F]{4})\/net\/([^/]+)$/;
// Any interface's devpath: /devices/<segments>/<parent>/net/<ifname> (e.g. /devices/pci0000:00/0000:00:03.0/net/eth0).
const ANY_DEVPATH = /^(?:\/sys)?\/devices\/((?:[A-Za-z0-9_.:-]+\/)*)([A-Za-z0-9_.:-]+)\/net\/([^/]+)$/;

/** The parsed argument, or undefined when it is none of the three forms (a usage error). */
export function parseSetmacTarget(argument: string): SetmacTarget | undefined {
  const devpath = DEVPATH.exec(argument);
  if (devpath) {
    const busId = busIdSchema.safeParse(devpath[1]);
    const ifname = ifnameSchema.safeParse(devpath[2]);
    return busId.success && ifname.success ? { kind: 'devpath', busId: busId.data, ifname: ifname.data } : undefined;
  }
  const other = ANY_DEVPATH.exec(argument);
  if (other) {
    const segments = [...other[1]!.split('/').filter(Boolean), other[2]!];
    const ifname = ifnameSchema.safeParse(other[3]);
    if (segments.some((segment) => segment === '.' || segment === '..') || !ifname.success) return undefined;
    return { kind: 'other-devpath', device: other[2]!, ifname: ifname.data };
  }
  const busId = busIdSchema.safeParse(argument);
  if (busId.success) return { kind: 'bus-id', busId: busId.data };
  const ifname = ifnameSchema.safeParse(argument);
  return ifname.success ? { kind: 'interface', ifname: ifname.data } : undefined;
}
