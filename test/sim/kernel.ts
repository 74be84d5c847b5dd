// The simulated kernel: one vfs, the models on it (channel subsystem, qeth, network interfaces, modules), the
// programs that talk to it, and what tests inspect afterwards. Tests assert on this final state and on the write
// journal, never on call sequences (STYLE §2). PCI SR-IOV with mlx5 (pci-sriov-model.ts) sits beside qeth on the
// same vfs and network interfaces.
import { realClock } from '../../src/host/clock.js';
import type { Clock } from '../../src/host/host.js';
import { CioModel } from './cio-model.js';
import type { Fault, Latency } from './faults.js';
import { Faults } from './faults.js';
import { KernelLog } from './klog.js';
import { Modules } from './modules.js';
import type { Netdev, RenamePolicy } from './net-model.js';
import { NetModel } from './net-model.js';
import { PciSriovModel } from './pci-sriov-model.js';
import type { PfView, VfView } from './pci-sriov-views.js';
import type { SriovSpec } from './pci-spec.js';
import type { ProgramModel } from './programs.js';
import { ipProgram, modprobeProgram } from './programs.js';
import { QethModel } from './qeth-model.js';
import type { CcwSpec, QethKernelOptions } from './spec.js';
import type { WriteRecord } from './vfs.js';
import { Vfs } from './vfs.js';

/** The machine: its qeth devices, and optionally Mellanox InfiniBand PCI functions. */
export interface SimKernelOptions extends QethKernelOptions {
  sriov?: SriovSpec;
}

/** A qeth group as a test sees it. */
export interface GroupView {
  busId: string;
  members: string[];
  online: boolean;
  /** `DOWN`, `SOFTSETUP` or `UP (LAN ONLINE)`. */
  state: string;
  layer2: -1 | 0 | 1;
  portno: number;
  bufferCount: number;
  cardType: string;
  /** The interface's current name, or null before the first online. */
  netdev: string | null;
}

/** A channel device as a test sees it. */
export interface CcwView {
  busId: string;
  /** Registered, i.e. visible under /sys/bus/ccw/devices (not hidden by cio_ignore). */
  visible: boolean;
  online: boolean;
  driver: string | null;
  group: string | null;
}

/** An interface as a test sees it. */
export interface NetdevView {
  name: string;
  ifindex: number;
  mac: string;
  /** False while its device is offline (detached). */
  attached: boolean;
  up: boolean;
  /** The sysfs device it hangs off, e.g. /sys/devices/qeth/0.0.0001. */
  parent: string | undefined;
}

export class SimKernel {
  readonly vfs: Vfs;
  readonly faults = new Faults();
  readonly log = new KernelLog();
  readonly modules: Modules;
  readonly net: NetModel;
  readonly cio: CioModel;
  readonly qeth: QethModel;
  /** PCI SR-IOV and mlx5 (an empty PCI bus unless the options describe adapters). */
  readonly sriov: PciSriovModel;
  /** The programs exec answers with: modprobe and ip. */
  readonly programs: ProgramModel[];

  constructor(
    readonly options: SimKernelOptions,
    readonly clock: Clock = realClock,
  ) {
    this.vfs = new Vfs(clock, this.faults);
    const missing = new Set([...(options.missingModules ?? []), ...(options.modprobeFails ? ['qeth'] : [])]);
    this.modules = new Modules(missing);
    const rename: RenamePolicy = options.rename ?? { mode: 'delay', ms: options.renameDelayMs ?? 20 };
    this.net = new NetModel(this.vfs, clock, this.log, rename);
    const devices = options.devices.flat();
    this.cio = new CioModel(this.vfs, clock, this.log, {
      devices,
      ignored: options.ignored ?? [],
      appearDelayMs: options.appearDelayMs ?? 30,
      ...(options.condev === undefined ? {} : { condev: options.condev }),
    });
    const env = { clock, modules: this.modules, net: this.net, log: this.log, faults: this.faults, onlineLatencyMs: options.onlineLatencyMs ?? 5, offlineLatencyMs: options.offlineLatencyMs ?? 0 };
    this.qeth = new QethModel(this.vfs, this.cio, this.modules, this.log, env, options);
    if (options.moduleLoaded && !this.modules.load('qeth')) throw new Error('fixture: moduleLoaded, but qeth is not installed');
    this.applyPresets(devices);
    this.sriov = new PciSriovModel({ vfs: this.vfs, clock, log: this.log, faults: this.faults, net: this.net }, options.sriov ?? { pfs: [] });
    // `ip link set … vf …` first: programs.ts's ip would call the vf clause garbage.
    this.programs = [this.sriov.program, modprobeProgram(this.modules, clock, (line) => this.log.print(line), options.modprobeLatencyMs), ipProgram(this.net)];
  }

  // ---- fault injection and journals -------------------------------------------------------------------------
  /** Makes matching operations fail: vfs ops by path ('read', 'write', 'readlink', 'list'), or model ops by device:
   * 'online' (hardsetup fails after the latency, e.g. ENODEV), 'set-mac' (the adapter refuses, e.g. EADDRINUSE),
   * and the mlx5 ops of pci-spec.ts ('probe', 'vport', 'enable', 'disable'). */
  inject(fault: Fault): void {
    this.faults.inject(fault);
  }

  /** Adds latency to vfs ops on a path (e.g. slow reads of one attribute). */
  latency(latency: Latency): void {
    this.faults.addLatency(latency);
  }

  /** Every sysfs/procfs write in arrival order, failed ones with their errno. */
  get writes(): WriteRecord[] {
    return this.vfs.writes;
  }

  get uevents() {
    return this.log.uevents;
  }

  get dmesg(): string[] {
    return this.log.dmesg;
  }

  /** Resolves when no asynchronous kernel or udev work is pending (device evaluation, renames). */
  async idle(): Promise<void> {
    await Promise.all([this.cio.settle(), this.net.idle(), this.sriov.idle()]);
  }

  // ---- inspection ---------------------------------------------------------------------------------------------
  group(busId: string): GroupView | undefined {
    const card = this.qeth.cards.get(busId);
    if (!card) return undefined;
    return {
      busId: card.busId,
      members: card.members.map((device) => device.busId),
      online: card.online,
      state: card.state,
      layer2: card.layer2,
      portno: card.portno,
      bufferCount: card.bufferCount,
      cardType: card.type.cardType,
      netdev: card.netdev?.name ?? null,
    };
  }

  ccw(busId: string): CcwView | undefined {
    const device = this.cio.devices.get(busId);
    return device && { busId: device.busId, visible: device.registered, online: device.online, driver: device.driver, group: device.group };
  }

  netdev(name: string): NetdevView | undefined {
    const netdev = this.net.byName(name);
    return netdev && view(netdev);
  }

  /** The interface of the group named after `busId`. */
  netdevOf(busId: string): NetdevView | undefined {
    const netdev = this.qeth.cards.get(busId)?.netdev;
    return netdev ? view(netdev) : undefined;
  }

  /** A Mellanox PF by PCI address: SR-IOV state and its VFs (firmware values and what each VF sees). */
  pf(address: string): PfView | undefined {
    return this.sriov.pf(address);
  }

  /** A VF by PCI address. */
  vf(address: string): VfView | undefined {
    return this.sriov.vf(address);
  }

  isModuleLoaded(name = 'qeth'): boolean {
    return this.modules.isLoaded(name);
  }

  isIgnored(busId: string): boolean {
    return this.cio.isIgnored(busId);
  }

  /** Test set-up shortcut: gives an interface an address as if someone had set it earlier (no checks, no journal). */
  setMac(ifname: string, mac: string): void {
    const netdev = this.net.byName(ifname);
    if (!netdev) throw new Error(`no interface ${ifname}`);
    netdev.mac = mac.toLowerCase();
  }

  private applyPresets(devices: CcwSpec[]): void {
    for (const spec of devices) {
      if (!spec.group) continue;
      if (!this.modules.isLoaded('qeth')) throw new Error(`fixture: ${spec.busId} is grouped at boot, so moduleLoaded must be true`);
      this.qeth.preset(spec.group);
    }
  }
}

function view(netdev: Netdev): NetdevView {
  return { name: netdev.name, ifindex: netdev.ifindex, mac: netdev.mac, attached: netdev.present, up: netdev.up, parent: netdev.parent };
}


