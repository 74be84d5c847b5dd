// The PCI core's SR-IOV capability of one PF: the sriov_* files, the sriov_numvfs store algorithm step by step
// (reference sriov §1.2), and VF creation/removal with the virtfn/physfn links — the VFs exist when the write returns
// (x86), or arrive later by hotplug (s390x, §0.10).
import type { Clock } from '../../src/host/host.js';
import { Errno } from './errno.js';
import type { Faults } from './faults.js';
import { kstrtobool, kstrtoull } from './kstrto.js';
import { vfAddress } from './pci-address.js';
import type { PciBus, PciFunction } from './pci-bus.js';
import type { Vfs } from './vfs.js';

export interface SriovEnv {
  vfs: Vfs;
  bus: PciBus;
  clock: Clock;
  faults: Faults;
}

/** The capability's registers and the platform's timing. */
export interface SriovHardware {
  totalVfs: number;
  offset: number;
  stride: number;
  /** VF device id, e.g. 0x1018 (ConnectX-5 VF). */
  vfDevice: string;
  enableMs: number;
  disableMs: number;
  /** s390x: VF k appears (k+1) × this after the write returned; undefined: synchronously. */
  vfAppearMs: number | undefined;
}

export class SriovCapability {
  numVfs = 0;
  /** VFs by index; holes while hotplug has not delivered them yet. */
  readonly vfs: (PciFunction | undefined)[] = [];
  /** Bumped by disable, so hotplug events of an earlier enable are dropped. */
  private generation = 0;
  private readonly pending = new Set<Promise<void>>();
  private readonly flags: { autoprobe: boolean };

  constructor(
    private readonly env: SriovEnv,
    readonly pf: PciFunction,
    private readonly hw: SriovHardware,
    autoprobe: boolean,
  ) {
    this.flags = { autoprobe };
    pf.sriov = this.flags;
    const attr = (name: string, handlers: Parameters<Vfs['attr']>[1]) => env.vfs.attr(`${pf.dir}/${name}`, handlers);
    attr('sriov_totalvfs', `${hw.totalVfs}\n`);
    // Newer kernels take device_lock to read, so a reader waits for a write in progress.
    attr('sriov_numvfs', { read: () => pf.lock.run(() => `${this.numVfs}\n`), write: (value) => this.storeNumvfs(value) });
    // Only stored: it is read when a VF probes, so it never affects VFs that exist already (§1.3).
    attr('sriov_drivers_autoprobe', { read: () => `${Number(this.flags.autoprobe)}\n`, write: (value) => void (this.flags.autoprobe = kstrtobool(value)) });
    attr('sriov_offset', `${hw.offset}\n`);
    attr('sriov_stride', `${hw.stride}\n`);
    attr('sriov_vf_device', `${hw.vfDevice.replace(/^0x/, '')}\n`);
  }

  get autoprobe(): boolean {
    return this.flags.autoprobe;
  }

  /** sriov_enable, called by the PF driver's sriov_configure: the VFs now, or later by hotplug. */
  async enable(n: number): Promise<void> {
    const errno = this.env.faults.take('enable', [this.pf.address]);
    if (errno) {
      // A failed enable clears VF Enable and sleeps 1 s before giving up.
      await this.env.clock.sleep(this.hw.disableMs);
      throw new Errno(errno, 'sriov_configure failed (injected)');
    }
    await this.env.clock.sleep(this.hw.enableMs);
    this.numVfs = n;
    if (this.hw.vfAppearMs === undefined) {
      for (let k = 0; k < n; k++) await this.addVf(k);
      return;
    }
    for (let k = 0; k < n; k++) this.hotplugLater(k, (k + 1) * this.hw.vfAppearMs);
  }

  /** sriov_disable: every VF goes (its driver unbound first), then the core's ssleep(1). */
  async disable(): Promise<void> {
    this.generation++;
    for (const [k, vf] of this.vfs.entries()) {
      if (!vf) continue;
      await this.env.bus.remove(vf);
      this.env.vfs.remove(`${this.pf.dir}/virtfn${k}`);
    }
    this.vfs.length = 0;
    await this.env.clock.sleep(this.hw.disableMs);
    this.numVfs = 0;
  }

  /** VFs enabled at boot (fixture): created without probing; the caller binds the ones that are bound. */
  preset(n: number): PciFunction[] {
    this.numVfs = n;
    return Array.from({ length: n }, (_, k) => this.register(k));
  }

  /** Resolves once no hotplug event is pending. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  /** sriov_numvfs_store (iov.c): parse → range → lock → same value → driver → disable or EBUSY → enable. */
  private async storeNumvfs(value: string): Promise<void> {
    const num = parseNumVfs(value);
    if (num > this.hw.totalVfs) throw new Errno('ERANGE', `${num} VFs requested, sriov_totalvfs is ${this.hw.totalVfs}`);
    await this.pf.lock.run(async () => {
      if (num === this.numVfs) return;
      const driver = this.pf.driver;
      if (!driver?.sriovConfigure) throw new Errno('ENOENT', 'no driver bound to device; cannot configure SR-IOV');
      if (num !== 0 && this.numVfs !== 0) throw new Errno('EBUSY', `${this.numVfs} VFs already enabled. Disable before enabling ${num} VFs`);
      await driver.sriovConfigure(this.pf, num);
    });
  }

  /** pci_iov_add_virtfn then pci_bus_add_device: links first, then a driver if autoprobe allows. */
  private async addVf(k: number): Promise<void> {
    await this.env.bus.attachNew(this.register(k));
  }

  /** s390x: zpci_iov_setup_virtfn links the VF when its platform event arrives. */
  private hotplugLater(k: number, ms: number): void {
    const generation = this.generation;
    const event = this.env.clock.sleep(ms).then(async () => {
      if (generation === this.generation) await this.addVf(k);
    });
    const tracked = event.finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private register(k: number): PciFunction {
    const address = vfAddress(this.pf.address, this.hw.offset, this.hw.stride, k);
    const vf = this.env.bus.add({ address, vendor: this.pf.vendor, device: this.hw.vfDevice, physfn: this.pf });
    // Relative links: PF and VF share a parent directory (§1.4).
    this.env.vfs.symlink(`${vf.dir}/physfn`, `../${this.pf.address}`);
    this.env.vfs.symlink(`${this.pf.dir}/virtfn${k}`, `../${address}`);
    this.vfs[k] = vf;
    return vf;
  }
}

/** kstrtou16(buf, 0): 0x and 0 prefixes, one trailing newline; newer kernels answer every failure with EINVAL. */
function parseNumVfs(value: string): number {
  try {
    const num = kstrtoull(value, 0);
    if (num > 0xffffn) throw new Errno('ERANGE');
    return Number(num);
  } catch (error) {
    if (error instanceof Errno) throw new Errno('EINVAL', `${JSON.stringify(value)} is not a number of VFs`);
    throw error;
  }
}
