// The fixture vocabulary for PCI SR-IOV with mlx5 InfiniBand adapters: plain JSON-serialisable data (sriov-scenario.ts
// builds it, a scenario file for the benchmark bundle carries it, pci-sriov-model.ts turns it into a running model).
import type { Fault, Latency } from './faults.js';

/** MLNX_OFED has the per-VF `sriov/<k>/{node,port,policy}` files; the inbox (mainline) driver only has netlink. */
export type Mlx5Mode = 'ofed' | 'inbox';

/** A VF's vport state policy, as OFED's `policy` file spells it (netlink: state disable/enable/auto). */
export type VfPolicy = 'Down' | 'Up' | 'Follow';

/** How long the slow parts take, on the kernel's clock. Real floors are in reference sriov §1.6; tests keep them small. */
export interface Mlx5Timing {
  /** `sriov_numvfs` 0 → N: ENABLE_HCA per VF and the core's msleep(100). Default 2 ms. */
  enableMs?: number;
  /** N → 0: the core's ssleep(1) plus firmware page reclaim. Default 5 ms. */
  disableMs?: number;
  /** One mlx5_core probe (PF or VF). Default 1 ms. */
  probeMs?: number;
  /** s390x (zPCI): the numvfs write returns before the VFs exist; VF k appears (k+1) × this later, by hotplug.
   * Absent: the VFs exist when the write returns (x86). */
  vfAppearMs?: number;
}

/** A VF enabled at boot (by an earlier run, or another tool). GUIDs are 16 hex digits, colons allowed. */
export interface VfPreset {
  /** Node and port GUID in firmware; default all-zero (a VF nobody configured). */
  guid?: string;
  /** Overrides `guid` for the node GUID only. */
  node?: string;
  /** Overrides `guid` for the port GUID only. */
  port?: string;
  /** Default `Down`. */
  policy?: VfPolicy;
  /** Bound to mlx5_core at boot; default true. */
  bound?: boolean;
  /** The GUID the bound VF saw at its probe, when the firmware value was set afterwards without a rebind. */
  seenGuid?: string;
  /** A driver_override left set (by a killed run, or another tool). */
  override?: string;
}

/** One physical port of a ConnectX adapter: a PCI physical function with its IPoIB interface. */
export interface Mlx5PfSpec {
  /** PCI address `dddd:bb:dd.f`. */
  address: string;
  /** The port GUID (last 8 bytes of the IPoIB hardware address); 16 hex digits, colons allowed. */
  portGuid: string;
  /** Default: the port GUID. */
  nodeGuid?: string;
  /** The IPoIB interface's name; default the next free `ib<N>`. */
  netdev?: string;
  /** P_Key child interfaces sharing the PF, e.g. `['ib0.8001']`. */
  children?: string[];
  /** TotalVFs as firmware allows (NUM_OF_VFS); 0 means SR-IOV off (SRIOV_EN=0): no `sriov_*` files at all. */
  totalVfs: number;
  /** Default `ofed`. */
  mode?: Mlx5Mode;
  /** Initial `sriov_drivers_autoprobe`; default true (the kernel's). */
  autoprobe?: boolean;
  /** VFs enabled at boot, in VF order. */
  vfs?: VfPreset[];
  /** First VF Offset and VF Stride in routing ids; default 1 and 1. */
  vfOffset?: number;
  vfStride?: number;
  /** No driver bound to the PF: no IPoIB interface, and a numvfs write is ENOENT. */
  unbound?: boolean;
  /** Overrides the scenario's timing for this PF. */
  timing?: Mlx5Timing;
  /** The PF (and its IPoIB interface) appears this long after boot: mlx5 still probing, or zPCI hotplug. */
  appearMs?: number;
}

/**
 * The PCI SR-IOV part of a simulated machine. Faults and latencies are the generic ones (faults.ts): vfs ops by path,
 * plus these model ops: 'probe' (path: a function's PCI address; its mlx5_core probe fails), 'vport' (path
 * `<pf address>/vf<k>`: firmware refuses to modify VF k's GUIDs or policy, through either OFED files or netlink),
 * 'enable' (path: the PF address; sriov_configure fails, e.g. ENOMEM for missing MMIO), 'disable' (path: the PF
 * address; numvfs 0 is refused, e.g. EPERM while VFs are assigned to a guest).
 */
export interface SriovSpec {
  pfs: Mlx5PfSpec[];
  /** Default timing for every PF. */
  timing?: Mlx5Timing;
  faults?: Fault[];
  latencies?: Latency[];
}
