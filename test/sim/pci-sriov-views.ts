// What tests inspect of the simulated SR-IOV machine: per PF its SR-IOV state, per VF the firmware's vport values
// next to what the VF saw at its last probe (the difference is what a missing rebind leaves behind).
import type { Mlx5Driver, Mlx5Pf } from './mlx5-driver.js';
import { ZERO_GUID } from './mlx5-guid.js';
import type { PciFunction } from './pci-bus.js';
import type { Mlx5PfSpec, VfPolicy } from './pci-spec.js';
import type { SriovCapability } from './pci-sriov.js';

/** One PF of the model, as built. */
export interface PfEntry {
  spec: Mlx5PfSpec;
  fn: PciFunction;
  capability: SriovCapability | undefined;
}

/** A VF as a test sees it. */
export interface VfView {
  index: number;
  /** null while s390x hotplug has not delivered it. */
  address: string | null;
  driver: string | null;
  override: string | null;
  /** Successful probes (a rebind adds one). */
  probes: number;
  /** Firmware (vport) values, as OFED's files or netlink set them. */
  node: string;
  port: string;
  policy: VfPolicy;
  /** What the VF saw at its last probe (ibdev node_guid, IPoIB address); null while unbound. */
  seenNode: string | null;
  seenPort: string | null;
  netdev: string | null;
}

/** A PF as a test sees it. */
export interface PfView {
  address: string;
  driver: string | null;
  /** The IPoIB parent interface, null while the PF has no driver. */
  netdev: string | null;
  totalVfs: number;
  numVfs: number;
  /** null when SR-IOV is off in firmware. */
  autoprobe: boolean | null;
  mode: 'ofed' | 'inbox';
  vfs: VfView[];
}

/** The view of one PF and its VFs now. */
export function viewPf({ spec, fn, capability }: PfEntry, mlx5: Mlx5Driver): PfView {
  const pf = mlx5.pfs.get(fn.address);
  return {
    address: fn.address,
    driver: fn.driver?.name ?? null,
    netdev: pf?.port.netdevs[0]?.name ?? null,
    totalVfs: spec.totalVfs,
    numVfs: capability?.numVfs ?? 0,
    autoprobe: capability ? capability.autoprobe : null,
    mode: spec.mode ?? 'ofed',
    vfs: Array.from({ length: capability?.numVfs ?? 0 }, (_, k) => viewVf(mlx5, pf, capability?.vfs[k], k)),
  };
}

function viewVf(mlx5: Mlx5Driver, pf: Mlx5Pf | undefined, fn: PciFunction | undefined, k: number): VfView {
  const vport = pf?.vports[k];
  const bound = fn ? mlx5.vfs.get(fn.address) : undefined;
  return {
    index: k,
    address: fn?.address ?? null,
    driver: fn?.driver?.name ?? null,
    override: fn?.override ?? null,
    probes: fn?.probes ?? 0,
    node: vport?.node ?? ZERO_GUID,
    port: vport?.port ?? ZERO_GUID,
    policy: vport?.policy ?? 'Down',
    seenNode: bound?.port.seen.node ?? null,
    seenPort: bound?.port.seen.port ?? null,
    netdev: bound?.port.netdevs[0]?.name ?? null,
  };
}
