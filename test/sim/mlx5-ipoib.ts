// What mlx5_ib and IPoIB add to a probed function: the RDMA device (`infiniband/mlx5_N` with node_guid and GID 0)
// and the IPoIB interfaces (type 32, 20-byte address ending in the port GUID, `device` → the PCI function). The
// GUIDs are copied at probe time: a probed function keeps seeing them until it is probed again (reference sriov §2.4).
import { posix } from 'node:path';
import type { Netdev, NetModel } from './net-model.js';
import type { PciFunction } from './pci-bus.js';
import { gid0, ibNodeGuid, ipoibAddress } from './mlx5-guid.js';
import type { Vfs } from './vfs.js';

/** ARPHRD_INFINIBAND. */
export const IPOIB_TYPE = 32;

export interface IbPort {
  ibdev: string;
  /** The parent interface first, then P_Key children (which copy the parent's address). */
  netdevs: Netdev[];
  /** What the function saw at probe. */
  seen: { node: string; port: string };
}

/** Kernel-style names that are never reused within a boot: a rebound VF gets a new `ibN` (reference sriov §0.8). */
export class IbNames {
  private netdevCount = 0;
  private ibdevCount = 0;
  private qpn = 0x48;

  constructor(private readonly net: NetModel) {}

  /** The next `ib<N>` nobody has. */
  netdev(): string {
    for (;;) {
      const name = `ib${this.netdevCount++}`;
      if (!this.net.byName(name)) return name;
    }
  }

  /** The next RDMA device name. */
  ibdev(): string {
    return `mlx5_${this.ibdevCount++}`;
  }

  /** A fresh UD QP number for an interface's address (bytes 1–3). */
  nextQpn(): number {
    return this.qpn++;
  }
}

/** Registers the RDMA device and the IPoIB interfaces of `fn`, showing `guids`. */
export function addIbPort(env: { vfs: Vfs; net: NetModel; names: IbNames }, fn: PciFunction, netdevNames: readonly string[], guids: IbPort['seen']): IbPort {
  const ibdev = env.names.ibdev();
  const dir = `${fn.dir}/infiniband/${ibdev}`;
  env.vfs.attr(`${dir}/node_guid`, `${ibNodeGuid(guids.node)}\n`);
  env.vfs.attr(`${dir}/ports/1/gids/0`, `${gid0(guids.port)}\n`);
  env.vfs.symlink(`/sys/class/infiniband/${ibdev}`, posix.relative('/sys/class/infiniband', dir));
  const address = ipoibAddress(env.names.nextQpn(), guids.port);
  const netdevs = netdevNames.map((name) => {
    if (env.net.byName(name)) throw new Error(`scenario: two interfaces named ${name}`);
    return env.net.register({ pattern: name, parent: fn.dir, mac: address, type: IPOIB_TYPE });
  });
  return { ibdev, netdevs, seen: { ...guids } };
}

/** Unregisters what addIbPort made (children first, as IPoIB does). */
export function removeIbPort(env: { vfs: Vfs; net: NetModel }, fn: PciFunction, port: IbPort): void {
  for (const netdev of [...port.netdevs].reverse()) env.net.unregister(netdev);
  env.vfs.remove(`${fn.dir}/infiniband/${port.ibdev}`);
  env.vfs.remove(`/sys/class/infiniband/${port.ibdev}`);
}
