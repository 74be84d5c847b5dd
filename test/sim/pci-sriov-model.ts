// PCI SR-IOV with mlx5 InfiniBand adapters, built from a SriovSpec on the kernel's vfs: the PCI bus, mlx5_core,
// each PF with its capability and the VFs present at boot, and the `ip link set … vf …` program.
import type { Clock } from '../../src/host/host.js';
import type { Faults } from './faults.js';
import { ipVfProgram } from './ip-vf-program.js';
import type { KernelLog } from './klog.js';
import { MELLANOX_VENDOR, Mlx5Driver } from './mlx5-driver.js';
import type { Mlx5Pf } from './mlx5-driver.js';
import { ZERO_GUID, fixtureGuid } from './mlx5-guid.js';
import { IbNames } from './mlx5-ipoib.js';
import type { NetModel } from './net-model.js';
import { checkAddress, vfAddress } from './pci-address.js';
import { PciBus } from './pci-bus.js';
import type { Mlx5PfSpec, Mlx5Timing, SriovSpec, VfPreset } from './pci-spec.js';
import { SriovCapability } from './pci-sriov.js';
import type { PfEntry, PfView, VfView } from './pci-sriov-views.js';
import { viewPf } from './pci-sriov-views.js';
import type { ProgramModel } from './programs.js';
import type { Vfs } from './vfs.js';

export interface PciSriovEnv {
  vfs: Vfs;
  clock: Clock;
  log: KernelLog;
  faults: Faults;
  net: NetModel;
}

const DEFAULT_TIMING = { enableMs: 2, disableMs: 5, probeMs: 1 };
/** ConnectX-5: PF 15b3:1017, VF 15b3:1018. */
const PF_DEVICE = '0x1017';
const VF_DEVICE = '0x1018';

export type { PfView, VfView };

export class PciSriovModel {
  readonly bus: PciBus;
  readonly mlx5: Mlx5Driver;
  /** `ip link set … vf …`; placed before programs.ts's `ip`. */
  readonly program: ProgramModel;
  private readonly pfs = new Map<string, PfEntry>();
  /** PFs that appear after boot (spec.appearMs). */
  private readonly late: Promise<void>[] = [];

  constructor(
    private readonly env: PciSriovEnv,
    spec: SriovSpec,
  ) {
    for (const fault of spec.faults ?? []) env.faults.inject(fault);
    for (const latency of spec.latencies ?? []) env.faults.addLatency(latency);
    checkNoOverlap(spec.pfs);
    this.bus = new PciBus(env.vfs, env.log);
    this.mlx5 = new Mlx5Driver({ ...env, names: new IbNames(env.net) });
    this.bus.registerDriver(this.mlx5);
    for (const pf of spec.pfs) {
      const timing = { ...DEFAULT_TIMING, ...spec.timing, ...pf.timing };
      if (pf.appearMs === undefined) this.addPf(pf, timing);
      else this.late.push(env.clock.sleep(pf.appearMs).then(() => this.addPf(pf, timing)));
    }
    this.program = ipVfProgram(env.net, this.mlx5);
  }

  /** A PF by its PCI address. */
  pf(address: string): PfView | undefined {
    const entry = this.pfs.get(address);
    return entry && viewPf(entry, this.mlx5);
  }

  /** A VF by its PCI address. */
  vf(address: string): VfView | undefined {
    return [...this.pfs.keys()].flatMap((pf) => this.pf(pf)!.vfs).find((vf) => vf.address === address);
  }

  /** Resolves once no VF hotplug event is pending. */
  async idle(): Promise<void> {
    await Promise.all(this.late);
    await Promise.all([...this.pfs.values()].map((entry) => entry.capability?.idle()));
  }

  /** A PF and its adapter, bound to mlx5_core unless the spec says otherwise. */
  private addPf(spec: Mlx5PfSpec, timing: Mlx5Timing & typeof DEFAULT_TIMING): void {
    const fn = this.bus.add({ address: checkAddress(spec.address), vendor: MELLANOX_VENDOR, device: PF_DEVICE });
    const hardware = {
      totalVfs: spec.totalVfs,
      offset: spec.vfOffset ?? 1,
      stride: spec.vfStride ?? 1,
      vfDevice: VF_DEVICE,
      enableMs: timing.enableMs,
      disableMs: timing.disableMs,
      vfAppearMs: timing.vfAppearMs,
    };
    const core = { vfs: this.env.vfs, bus: this.bus, clock: this.env.clock, faults: this.env.faults };
    // SR-IOV off in firmware (TotalVFs 0): sriov_init stops early, so no sriov_* file exists (§1.1).
    const capability = spec.totalVfs > 0 ? new SriovCapability(core, fn, hardware, spec.autoprobe ?? true) : undefined;
    this.pfs.set(fn.address, { spec, fn, capability });
    this.mlx5.describe(fn.address, {
      portGuid: fixtureGuid(spec.portGuid),
      nodeGuid: fixtureGuid(spec.nodeGuid ?? spec.portGuid),
      mode: spec.mode ?? 'ofed',
      netdev: spec.netdev,
      children: spec.children ?? [],
      probeMs: timing.probeMs,
      totalVfs: spec.totalVfs,
      sriov: capability,
    });
    if (spec.unbound) {
      if (spec.vfs?.length) throw new Error(`scenario: ${spec.address} has no driver, so it cannot have VFs`);
      return;
    }
    this.bus.presetBind(this.mlx5, fn);
    if (spec.vfs?.length) this.presetVfs(this.mlx5.pfs.get(fn.address)!, capability, spec.vfs);
  }

  /** VFs an earlier run or another tool left: their firmware values, and for bound ones what they saw at probe. */
  private presetVfs(pf: Mlx5Pf, capability: SriovCapability | undefined, presets: readonly VfPreset[]): void {
    if (!capability || presets.length > pf.hw.totalVfs) throw new Error(`scenario: ${pf.fn.address} allows ${pf.hw.totalVfs} VFs, ${presets.length} preset`);
    const vfs = capability.preset(presets.length);
    presets.forEach((preset, k) => {
      const node = fixtureGuid(preset.node ?? preset.guid ?? ZERO_GUID);
      const port = fixtureGuid(preset.port ?? preset.guid ?? ZERO_GUID);
      const vport = pf.vports[k]!;
      if (pf.hw.mode === 'ofed') this.mlx5.addOfedFiles(pf, k);
      if (preset.bound ?? true) {
        // Probed while the firmware held what it saw; a later GUID change without rebind leaves it stale.
        const seen = preset.seenGuid === undefined ? undefined : fixtureGuid(preset.seenGuid);
        Object.assign(vport, { node: seen ?? node, port: seen ?? port });
        this.bus.presetBind(this.mlx5, vfs[k]!);
      }
      if (preset.override !== undefined) vfs[k]!.override = preset.override;
      Object.assign(vport, { node, port, policy: preset.policy ?? 'Down' });
    });
  }
}

/** Every PF and every VF it could ever have must be at distinct addresses (the fixture's, not the kernel's, job). */
function checkNoOverlap(pfs: readonly Mlx5PfSpec[]): void {
  const owner = new Map<string, string>();
  for (const pf of pfs) {
    const addresses = [pf.address, ...Array.from({ length: pf.totalVfs }, (_, k) => vfAddress(pf.address, pf.vfOffset ?? 1, pf.vfStride ?? 1, k))];
    for (const address of addresses) {
      const other = owner.get(address);
      if (other !== undefined) throw new Error(`scenario: ${address} belongs to both ${other} and ${pf.address} (use another bus, or vfOffset)`);
      owner.set(address, pf.address);
    }
  }
}
