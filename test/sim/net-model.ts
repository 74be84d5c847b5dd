// Network interfaces, independent of the driver: registration under a parent device (<device>/net/<name> plus
// /sys/class/net/<name>), the kernel's `eth%d` naming, udev's asynchronous rename, and the core's checks on a MAC
// change and on `up` (net/core/dev.c, reference qeth §2.4, §5). qeth today; mlx5 VFs can register the same way.
import { posix } from 'node:path';
import type { Clock } from '../../src/host/host.js';
import { Errno } from './errno.js';
import type { KernelLog } from './klog.js';
import type { Vfs } from './vfs.js';

/** The driver's net_device_ops that the sim models. */
export interface NetdevOps {
  /** ndo_set_mac_address; absent (qeth layer 3, lo) makes a MAC change EOPNOTSUPP. Throws an Errno to refuse. */
  setMac?: (mac: string) => void | Promise<void>;
}

export interface Netdev {
  name: string;
  readonly ifindex: number;
  /** Lower-case `xx:xx:xx:xx:xx:xx`, as /sys/class/net/<name>/address prints it. */
  mac: string;
  /** netif_device_present: false while the owning device is offline (detached, reference qeth §2.5). */
  present: boolean;
  /** IFF_UP. */
  up: boolean;
  /** ARPHRD type: 1 Ethernet, 772 loopback. */
  readonly type: number;
  /** Physical sysfs path of the parent device; undefined for virtual interfaces. */
  readonly parent: string | undefined;
  /** The name udev gives it after registration (undefined: udev leaves it alone). */
  readonly udevName: string | undefined;
  ops: NetdevOps;
}

export interface NetdevInit {
  /** `eth%d`, `hsi%d` (lowest free number, like dev_alloc_name) or a fixed name. */
  pattern: string;
  parent?: string;
  mac: string;
  type?: number;
  udevName?: string;
  ops?: NetdevOps;
  up?: boolean;
}

/** When udev's rename of a new interface lands: after a delay, never (net.ifnames=0), or just as the first `ip`
 * command naming the kernel name arrives, so that command fails with "Cannot find device" (a rename race). */
export type RenamePolicy = { mode: 'delay'; ms: number } | { mode: 'never' } | { mode: 'on-first-ip' };

export class NetModel {
  private readonly devices = new Map<string, Netdev>();
  private readonly racing = new Set<Netdev>();
  private readonly pending = new Set<Promise<void>>();
  private nextIfindex = 1;

  constructor(
    private readonly vfs: Vfs,
    private readonly clock: Clock,
    private readonly log: KernelLog,
    private readonly policy: RenamePolicy,
  ) {
    vfs.mkdir('/sys/class/net');
    this.register({ pattern: 'lo', mac: '00:00:00:00:00:00', type: 772, up: true });
  }

  byName(name: string): Netdev | undefined {
    return this.devices.get(name);
  }

  all(): Netdev[] {
    return [...this.devices.values()].sort((a, b) => a.ifindex - b.ifindex);
  }

  /** register_netdev: name it, create its sysfs nodes, emit `add`, then let udev rename it per the policy. */
  register(init: NetdevInit): Netdev {
    const netdev: Netdev = {
      name: this.allocName(init.pattern),
      ifindex: this.nextIfindex++,
      mac: init.mac.toLowerCase(),
      present: true,
      up: init.up ?? false,
      type: init.type ?? 1,
      parent: init.parent,
      udevName: init.udevName,
      ops: init.ops ?? {},
    };
    this.devices.set(netdev.name, netdev);
    this.addNodes(netdev);
    this.log.uevent('add', this.dirOf(netdev));
    if (netdev.udevName !== undefined) this.scheduleRename(netdev);
    return netdev;
  }

  unregister(netdev: Netdev): void {
    if (this.devices.get(netdev.name) !== netdev) return;
    this.log.uevent('remove', this.dirOf(netdev));
    this.vfs.remove(this.dirOf(netdev));
    this.vfs.remove(`/sys/class/net/${netdev.name}`);
    this.devices.delete(netdev.name);
    this.racing.delete(netdev);
  }

  /** An `ip` command is about to look `name` up: in 'on-first-ip' mode udev's rename wins the race right now. */
  beforeNetlink(name: string): void {
    const netdev = this.devices.get(name);
    if (netdev && this.racing.has(netdev)) this.udevRename(netdev);
  }

  /** dev_set_mac_address: no ndo → EOPNOTSUPP, detached → ENODEV, same address → nothing sent, else the driver. */
  async setMac(netdev: Netdev, mac: string): Promise<void> {
    if (!netdev.ops.setMac) throw new Errno('EOPNOTSUPP', `${netdev.name} has no ndo_set_mac_address`);
    if (!netdev.present) throw new Errno('ENODEV', `${netdev.name} is detached`);
    const address = mac.toLowerCase();
    if (address === netdev.mac) return;
    await netdev.ops.setMac(address);
    netdev.mac = address;
  }

  /** dev_change_flags(IFF_UP): opening a detached device is ENODEV. */
  setUp(netdev: Netdev, up: boolean): void {
    if (up && !netdev.present) throw new Errno('ENODEV', `${netdev.name} is detached`);
    netdev.up = up;
  }

  /** Resolves once every scheduled udev rename has happened (or been dropped). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  private scheduleRename(netdev: Netdev): void {
    if (this.policy.mode === 'on-first-ip') this.racing.add(netdev);
    if (this.policy.mode !== 'delay') return;
    const done = this.clock.sleep(this.policy.ms).then(() => {
      this.pending.delete(done);
      this.udevRename(netdev);
    });
    this.pending.add(done);
  }

  /** udev's NAME=: moves the interface directory and the class link; skipped if it is gone or the name is taken. */
  private udevRename(netdev: Netdev): void {
    this.racing.delete(netdev);
    const name = netdev.udevName;
    if (name === undefined || this.devices.get(netdev.name) !== netdev || this.devices.has(name)) return;
    const from = this.dirOf(netdev);
    this.vfs.remove(`/sys/class/net/${netdev.name}`);
    this.devices.delete(netdev.name);
    netdev.name = name;
    this.devices.set(name, netdev);
    this.vfs.rename(from, this.dirOf(netdev));
    this.vfs.symlink(`/sys/class/net/${name}`, posix.relative('/sys/class/net', this.dirOf(netdev)));
    this.log.uevent('move', this.dirOf(netdev));
  }

  private addNodes(netdev: Netdev): void {
    const dir = this.dirOf(netdev);
    this.vfs.attr(`${dir}/address`, { read: () => `${netdev.mac}\n` });
    this.vfs.attr(`${dir}/ifindex`, `${netdev.ifindex}\n`);
    this.vfs.attr(`${dir}/type`, `${netdev.type}\n`);
    this.vfs.attr(`${dir}/mtu`, netdev.type === 772 ? '65536\n' : '1500\n');
    this.vfs.attr(`${dir}/operstate`, { read: () => (netdev.type === 772 ? 'unknown\n' : netdev.up && netdev.present ? 'up\n' : 'down\n') });
    // <parent>/net/<name>/device → ../../../<parent's name>: the parent device itself.
    if (netdev.parent) this.vfs.symlink(`${dir}/device`, `../../../${posix.basename(netdev.parent)}`);
    this.vfs.symlink(`/sys/class/net/${netdev.name}`, posix.relative('/sys/class/net', dir));
  }

  private dirOf(netdev: Netdev): string {
    return `${netdev.parent ?? '/sys/devices/virtual'}/net/${netdev.name}`;
  }

  private allocName(pattern: string): string {
    if (!pattern.includes('%d')) return pattern;
    for (let n = 0; ; n++) if (!this.devices.has(pattern.replace('%d', String(n)))) return pattern.replace('%d', String(n));
  }
}
