// mlx5_core on InfiniBand ports, as the PCI bus sees it: PF probe (IPoIB interface, RDMA device, OFED's `sriov/`
// directory, the per-VF vport store), VF probe (the GUIDs the VF will see until its next probe), sriov_configure,
// and the firmware's vport context that both OFED's files and netlink modify (reference sriov §2, §3).
import type { Clock } from '../../src/host/host.js';
import { Errno } from './errno.js';
import type { Faults } from './faults.js';
import type { Vport } from './mlx5-guid.js';
import { ZERO_GUID } from './mlx5-guid.js';
import type { IbNames, IbPort } from './mlx5-ipoib.js';
import { IPOIB_TYPE, addIbPort, removeIbPort } from './mlx5-ipoib.js';
import { addOfedVf, removeOfedVfs } from './mlx5-ofed-sysfs.js';
import type { Netdev, NetModel } from './net-model.js';
import type { PciDriver, PciFunction } from './pci-bus.js';
import type { Mlx5Mode } from './pci-spec.js';
import type { SriovCapability } from './pci-sriov.js';
import type { Vfs } from './vfs.js';

export const MELLANOX_VENDOR = '0x15b3';

/** What one PF's firmware and board report. */
export interface Mlx5Hardware {
  portGuid: string;
  nodeGuid: string;
  mode: Mlx5Mode;
  /** The IPoIB parent's name (undefined: the next free ibN) and its P_Key children. */
  netdev: string | undefined;
  children: string[];
  probeMs: number;
  totalVfs: number;
  /** The PCI core's SR-IOV capability; undefined when SR-IOV is off in firmware. */
  sriov: SriovCapability | undefined;
}

export interface Mlx5Pf {
  fn: PciFunction;
  hw: Mlx5Hardware;
  /** vfs_ctx: allocated at PF probe for every possible VF, kept across numvfs cycles, lost with the PF driver. */
  vports: Vport[];
  port: IbPort;
}

export interface Mlx5Vf {
  fn: PciFunction;
  pf: Mlx5Pf;
  index: number;
  port: IbPort;
}

export interface Mlx5Env {
  vfs: Vfs;
  net: NetModel;
  clock: Clock;
  faults: Faults;
  names: IbNames;
}

export class Mlx5Driver implements PciDriver {
  readonly name = 'mlx5_core';
  readonly pfs = new Map<string, Mlx5Pf>();
  readonly vfs = new Map<string, Mlx5Vf>();
  private readonly hardware = new Map<string, Mlx5Hardware>();

  constructor(private readonly env: Mlx5Env) {}

  /** Installs the adapter behind the PF at `address` (before its first probe). */
  describe(address: string, hw: Mlx5Hardware): void {
    this.hardware.set(address, hw);
  }

  matches(fn: PciFunction): boolean {
    return fn.vendor === MELLANOX_VENDOR;
  }

  /** Firmware initialisation: takes probeMs; an injected 'probe' fault fails it with nothing changed. */
  async prepare(fn: PciFunction): Promise<void> {
    const pf = fn.physfn ?? fn;
    await this.env.clock.sleep(this.hardware.get(pf.address)?.probeMs ?? 0);
    const errno = this.env.faults.take('probe', [fn.address]);
    if (errno) throw new Errno(errno, 'mlx5_core probe failed (injected)');
    if (fn.physfn && !this.pfs.has(fn.physfn.address)) throw new Errno('ENODEV', 'the PF has no mlx5_core');
  }

  attach(fn: PciFunction): void {
    if (fn.physfn) this.attachVf(fn);
    else this.attachPf(fn);
  }

  async detach(fn: PciFunction): Promise<void> {
    const vf = this.vfs.get(fn.address);
    if (vf) {
      removeIbPort(this.env, fn, vf.port);
      this.vfs.delete(fn.address);
      return;
    }
    const pf = this.pfs.get(fn.address);
    if (!pf) return;
    // mlx5 remove disables SR-IOV first; vfs_ctx goes with the driver (GUIDs do not survive a reload).
    if (pf.hw.sriov && pf.hw.sriov.numVfs > 0) await this.sriovConfigure(fn, 0);
    this.env.vfs.remove(`${fn.dir}/sriov`);
    removeIbPort(this.env, fn, pf.port);
    this.pfs.delete(fn.address);
  }

  /** mlx5_core_sriov_configure: OFED makes `sriov/0..n-1` before pci_enable_sriov; disable removes them after. */
  async sriovConfigure(fn: PciFunction, n: number): Promise<void> {
    const pf = this.pfs.get(fn.address)!;
    const capability = pf.hw.sriov!;
    const ofed = pf.hw.mode === 'ofed';
    if (n === 0) {
      // Mainline mlx5 refuses while a VF is assigned to a guest ("can't disable sriov, VFs are assigned").
      const refused = this.env.faults.take('disable', [fn.address]);
      if (refused) throw new Errno(refused, 'cannot disable SR-IOV (injected)');
      const count = capability.numVfs;
      await capability.disable();
      if (ofed) removeOfedVfs(this.env.vfs, fn.dir, count);
      return;
    }
    if (ofed) for (let k = 0; k < n; k++) this.addOfedFiles(pf, k);
    try {
      await capability.enable(n);
    } catch (error) {
      if (ofed) removeOfedVfs(this.env.vfs, fn.dir, n);
      throw error;
    }
  }

  /** OFED files for VF k of a PF (also for VFs enabled at boot). */
  addOfedFiles(pf: Mlx5Pf, k: number): void {
    addOfedVf(this.env.vfs, pf.fn.dir, k, { get: (index) => pf.vports[index]!, modify: (index, change) => this.modifyVport(pf, index, change) });
  }

  /** rtnetlink do_setvfinfo → ipoib_set_vf_guid / set_vf_link_state → mlx5_ib, on an IPoIB interface of the PF. */
  setVf(netdev: Netdev, k: number, change: Partial<Vport>): void {
    if (netdev.type !== IPOIB_TYPE) throw new Errno('EOPNOTSUPP', `${netdev.name} is not an InfiniBand interface`);
    // mlx5_ib registers the VF operations only on a PF; a VF's own interface has none.
    const pf = [...this.pfs.values()].find((candidate) => candidate.port.netdevs.includes(netdev));
    if (!pf) throw new Errno('EOPNOTSUPP', `${netdev.name} is not on an mlx5 PF`);
    if (k < 0 || k >= (pf.hw.sriov?.numVfs ?? 0)) throw new Errno('EINVAL', `${pf.fn.address} has no VF ${k}`);
    this.modifyVport(pf, k, change);
  }

  /** MODIFY_HCA_VPORT_CONTEXT for vport k+1; an injected 'vport' fault on `<pf>/vf<k>` is the firmware refusing. */
  private modifyVport(pf: Mlx5Pf, k: number, change: Partial<Vport>): void {
    const errno = this.env.faults.take('vport', [`${pf.fn.address}/vf${k}`]);
    if (errno) throw new Errno(errno, `firmware refused to modify VF ${k} (injected)`);
    Object.assign(pf.vports[k]!, change);
  }

  private attachPf(fn: PciFunction): void {
    const hw = this.hardware.get(fn.address);
    if (!hw) throw new Error(`scenario: no mlx5 hardware described at ${fn.address}`);
    // A new VF's policy is UNCONFIRMED (reference sriov §2.3); Down makes an agent that forgets to set it visible.
    const vports = Array.from({ length: hw.totalVfs }, (): Vport => ({ node: ZERO_GUID, port: ZERO_GUID, policy: 'Down' }));
    const names = [hw.netdev ?? this.env.names.netdev(), ...hw.children];
    const port = addIbPort(this.env, fn, names, { node: hw.nodeGuid, port: hw.portGuid });
    // OFED creates `sriov/` at PF probe (mlx5_sriov_init), whether or not VFs are enabled yet.
    if (hw.mode === 'ofed' && hw.sriov) this.env.vfs.mkdir(`${fn.dir}/sriov`);
    this.pfs.set(fn.address, { fn, hw, vports, port });
  }

  private attachVf(fn: PciFunction): void {
    const pf = this.pfs.get(fn.physfn!.address)!;
    const index = pf.hw.sriov!.vfs.indexOf(fn);
    const vport = pf.vports[index]!;
    // The VF's mlx5_ib and IPoIB copy the vport's GUIDs now, and keep them until the next probe.
    const port = addIbPort(this.env, fn, [this.env.names.netdev()], { node: vport.node, port: vport.port });
    this.vfs.set(fn.address, { fn, pf, index, port });
  }
}
