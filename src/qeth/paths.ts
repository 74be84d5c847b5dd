// Kernel paths the qeth code reads and writes (reference/qeth-sysfs.md §1, §3, §4).
import type { BusId } from '../values/bus-id.js';

export const QETH_DRIVER = '/sys/bus/ccwgroup/drivers/qeth';
export const QETH_GROUP = `${QETH_DRIVER}/group`;
export const CIO_IGNORE = '/proc/cio_ignore';
export const CIO_SETTLE = '/proc/cio_settle';
export const CCW_DEVICES = '/sys/bus/ccw/devices';

/** A channel (ccw) device; a symlink to /sys/devices/css0/<subchannel>/<busId>. */
export const ccwDevice = (busId: BusId): string => `${CCW_DEVICES}/${busId}`;
/** An attribute of a channel device: cutype, online, group_device, driver. */
export const ccwAttr = (busId: BusId, name: string): string => `${ccwDevice(busId)}/${name}`;

/** A qeth group device, named after its read device; a symlink into /sys/devices/qeth. */
export const groupDevice = (busId: BusId): string => `/sys/bus/ccwgroup/devices/${busId}`;
/** An attribute of a group device: online, portno, layer2, cdev0..2. */
export const groupAttr = (busId: BusId, name: string): string => `${groupDevice(busId)}/${name}`;
/** Where the group's interface appears once it has been online. */
export const groupNetDir = (busId: BusId): string => groupAttr(busId, 'net');

/** An interface's directory in the class view. */
export const netClass = (ifname: string): string => `/sys/class/net/${ifname}`;
