// What observeSriov sees of the Mellanox InfiniBand PFs and their VFs: plain JSON-serialisable data.
import type { Guid } from '../values/guid.js';

export interface VfState {
  index: number;
  /** PCI address behind virtfn<k>, or null while the link has not appeared. */
  address: string | null;
  /** The PF its physfn link names (the safety check before touching it), or null. */
  physfn: string | null;
  /** Bound driver's name, or null. */
  driver: string | null;
  /** driver_override, or null when none ("(null)" in sysfs). */
  override: string | null;
  /** The GUIDs the VF itself sees (fixed at its last probe): ibdev node_guid and the port GUID in its IPoIB address. */
  seenNodeGuid: Guid | null;
  seenPortGuid: Guid | null;
  /** MLNX_OFED admin values from sriov/<k>/{node,port,policy}; null on inbox drivers (and when not read: observePf). */
  ofed: { node: Guid | null; port: Guid | null; policy: string | null } | null;
}

export interface PfState {
  /** PCI address, the identity of the PF (IPoIB child interfaces share it). */
  address: string;
  /** Its IPoIB interfaces, parent first (the parent carries the netlink VF operations). */
  netdevs: string[];
  /** Port GUID: the last 8 bytes of the 20-byte IPoIB hardware address. */
  portGuid: Guid;
  /** null when the sriov_* files are absent: SR-IOV is off in the adapter firmware. */
  sriov: { totalVfs: number; numVfs: number; autoprobe: string } | null;
  /** MLNX_OFED's sriov/ directory exists, so GUIDs go through its files, else through netlink. */
  ofed: boolean;
  vfs: VfState[];
}

export interface SriovSnapshot {
  pfs: PfState[];
}
