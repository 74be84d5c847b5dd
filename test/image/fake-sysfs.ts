// A synthetic sysfs device tree for `udevadm test` in the chroot: a network interface whose parent device
// is bound to a given driver (qeth under ccwgroup, virtio_net under virtio), with the links and attributes
// udev reads (subsystem, driver, uevent, ifindex, type, address …).
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface FakeNetdev {
  /** Parent device below /sys, e.g. devices/qeth/0.0.0001 (its name is the bus id udev's net_id uses). */
  parent: string;
  /** Bus of the parent (ccwgroup), and the driver it is bound to (qeth). */
  bus: string;
  driver: string;
  /** The kernel's name for the interface (eth0), before any rename. */
  ifname: string;
  ifindex: number;
  mac: string;
}

/** Writes the device into `sys` (a tmpfs mounted on the chroot's /sys); returns its syspath as the chroot sees it. */
export function writeFakeNetdev(sys: string, device: FakeNetdev): string {
  const parent = join(sys, device.parent);
  const netdev = join(parent, 'net', device.ifname);
  const link = (path: string, target: string) => {
    mkdirSync(dirname(path), { recursive: true });
    symlinkSync(relative(dirname(path), target), path);
  };
  mkdirSync(join(sys, 'bus', device.bus, 'drivers', device.driver), { recursive: true });
  mkdirSync(netdev, { recursive: true });
  writeFileSync(join(parent, 'uevent'), `DRIVER=${device.driver}\n`);
  link(join(parent, 'subsystem'), join(sys, 'bus', device.bus));
  link(join(parent, 'driver'), join(sys, 'bus', device.bus, 'drivers', device.driver));
  const attributes: Record<string, string> = {
    uevent: `INTERFACE=${device.ifname}\nIFINDEX=${device.ifindex}\n`,
    ifindex: String(device.ifindex),
    iflink: String(device.ifindex),
    // ARPHRD_ETHER; NET_ADDR_PERM; NET_NAME_ENUM (a kernel-enumerated name, which udev renames).
    type: '1',
    addr_assign_type: '0',
    name_assign_type: '1',
    address: device.mac,
  };
  for (const [name, value] of Object.entries(attributes)) writeFileSync(join(netdev, name), `${value}\n`);
  link(join(netdev, 'subsystem'), join(sys, 'class', 'net'));
  link(join(sys, 'class', 'net', device.ifname), netdev);
  return `/sys/class/net/${device.ifname}`;
}

/** The properties `udevadm test` prints at the end (KEY=value lines after its banner). */
export function udevTestProperties(output: string): Map<string, string> {
  // udev 252 prints the properties flush left after the rules' log; 257 indents them under "Properties:".
  const lines = output.split('\n').map((line) => line.trim());
  const start = lines.findIndex((line) => line.startsWith('DEVPATH='));
  const properties = new Map<string, string>();
  for (const line of start < 0 ? [] : lines.slice(start)) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) properties.set(match[1]!, match[2]!);
  }
  return properties;
}
