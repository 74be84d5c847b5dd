// The PCI bus and its driver model: functions under /sys/bus/pci/devices, a driver's bind/unbind files,
// /sys/bus/pci/drivers_probe, driver_override and pci_device_can_probe (reference sriov §1.3, §1.5), as a kernel
// ≥ 5.13 answers: bind of a bound device is EBUSY, a VF that may not probe is ENODEV, drivers_probe always succeeds.
import { posix } from 'node:path';
import { Errno } from './errno.js';
import type { KernelLog } from './klog.js';
import { Mutex } from './mutex.js';
import { pciDeviceDir } from './pci-address.js';
import type { Vfs } from './vfs.js';

const BUS = '/sys/bus/pci';
/** Network controller, InfiniBand: what ConnectX functions in IB mode report. */
const CLASS_INFINIBAND = '0x020700';

export interface PciFunction {
  readonly address: string;
  /** Physical sysfs directory. */
  readonly dir: string;
  readonly vendor: string;
  readonly device: string;
  /** For a VF: its PF. */
  readonly physfn: PciFunction | undefined;
  /** For a PF with the SR-IOV capability: the flag pci_device_can_probe reads for its VFs. */
  sriov: { autoprobe: boolean } | undefined;
  driver: PciDriver | null;
  /** driver_override, or null. */
  override: string | null;
  /** Successful probes so far (each rebind adds one). */
  probes: number;
  /** device_lock. */
  readonly lock: Mutex;
}

/** What the bus needs of a driver. */
export interface PciDriver {
  readonly name: string;
  /** The driver's ID table. */
  matches(fn: PciFunction): boolean;
  /** The slow part of probe() (firmware commands); throws an Errno to fail the probe with nothing changed. */
  prepare(fn: PciFunction): Promise<void>;
  /** What a successful probe leaves behind; also used for devices already bound at boot. */
  attach(fn: PciFunction): void;
  /** remove(): undoes attach. */
  detach(fn: PciFunction): Promise<void>;
  /** sriov_configure; absent: writing sriov_numvfs is ENOENT. */
  sriovConfigure?(pf: PciFunction, n: number): Promise<void>;
}

export class PciBus {
  private readonly functions = new Map<string, PciFunction>();
  private readonly drivers: PciDriver[] = [];

  constructor(
    private readonly vfs: Vfs,
    private readonly log: KernelLog,
  ) {
    vfs.mkdir(`${BUS}/devices`);
    vfs.mkdir(`${BUS}/drivers`);
    vfs.attr(`${BUS}/drivers_probe`, { write: (value) => this.driversProbe(value) });
  }

  /** driver_register: the driver's directory with its bind and unbind files (write-only, like the kernel's). */
  registerDriver(driver: PciDriver): void {
    this.drivers.push(driver);
    const dir = `${BUS}/drivers/${driver.name}`;
    this.vfs.attr(`${dir}/bind`, { write: (value) => this.bindStore(driver, value) });
    this.vfs.attr(`${dir}/unbind`, { write: (value) => this.unbindStore(driver, value) });
  }

  /** device_add: the function's directory, its attributes and the bus link; no driver yet. */
  add(init: { address: string; vendor: string; device: string; physfn?: PciFunction }): PciFunction {
    if (this.functions.has(init.address)) throw new Error(`scenario: two PCI functions at ${init.address}`);
    const fn: PciFunction = { ...init, physfn: init.physfn, dir: pciDeviceDir(init.address), sriov: undefined, driver: null, override: null, probes: 0, lock: new Mutex() };
    this.functions.set(fn.address, fn);
    this.vfs.attr(`${fn.dir}/vendor`, `${fn.vendor}\n`);
    this.vfs.attr(`${fn.dir}/device`, `${fn.device}\n`);
    this.vfs.attr(`${fn.dir}/class`, `${CLASS_INFINIBAND}\n`);
    this.vfs.attr(`${fn.dir}/driver_override`, {
      read: () => `${fn.override ?? '(null)'}\n`,
      // driver_set_override: the value ends at the first newline; empty clears it. It never binds by itself.
      write: (value) => void (fn.override = value.split('\n')[0] || null),
    });
    this.vfs.symlink(`${BUS}/devices/${fn.address}`, posix.relative(`${BUS}/devices`, fn.dir));
    this.log.uevent('add', fn.dir);
    return fn;
  }

  /** pci_bus_add_device → device_attach: the first matching driver that may probe binds; failures are only logged. */
  async attachNew(fn: PciFunction): Promise<void> {
    await fn.lock.run(() => this.attach(fn));
  }

  /** pci_stop_and_remove_bus_device: the driver lets go, then the nodes disappear. */
  async remove(fn: PciFunction): Promise<void> {
    await fn.lock.run(() => this.release(fn));
    this.vfs.remove(fn.dir);
    this.vfs.remove(`${BUS}/devices/${fn.address}`);
    this.functions.delete(fn.address);
    this.log.uevent('remove', fn.dir);
  }

  /** A function already bound at boot: the end state of a probe, without waiting. */
  presetBind(driver: PciDriver, fn: PciFunction): void {
    driver.attach(fn);
    this.link(fn, driver);
  }

  /** bind_store: unknown device or no match → ENODEV, bound already → EBUSY, else the probe's own errno. */
  private async bindStore(driver: PciDriver, value: string): Promise<void> {
    const fn = this.find(value);
    await fn.lock.run(async () => {
      if (!this.matches(driver, fn)) throw new Errno('ENODEV', `${driver.name} does not match ${fn.address}`);
      if (fn.driver) throw new Errno('EBUSY', `${fn.address} is bound to ${fn.driver.name}`);
      await this.probe(driver, fn);
    });
  }

  /** unbind_store: ENODEV unless the device is bound to this very driver; else a synchronous remove(). */
  private async unbindStore(driver: PciDriver, value: string): Promise<void> {
    const fn = this.find(value);
    await fn.lock.run(async () => {
      if (fn.driver !== driver) throw new Errno('ENODEV', `${fn.address} is not bound to ${driver.name}`);
      await this.release(fn);
    });
  }

  /** drivers_probe_store: ENODEV for an unknown device, otherwise success whether or not a driver bound. */
  private async driversProbe(value: string): Promise<void> {
    const fn = this.find(value);
    await fn.lock.run(() => this.attach(fn));
  }

  private async attach(fn: PciFunction): Promise<void> {
    if (fn.driver) return;
    for (const driver of this.drivers.filter((candidate) => this.matches(candidate, fn))) {
      try {
        await this.probe(driver, fn);
        return;
      } catch (error) {
        if (!(error instanceof Errno)) throw error;
        this.log.print(`${driver.name} ${fn.address}: probe failed: ${error.code}${error.detail ? ` (${error.detail})` : ''}`);
        // really_probe: ENODEV and ENXIO mean "not mine", so the next driver may try; anything else ends it.
        if (error.code !== 'ENODEV' && error.code !== 'ENXIO') return;
      }
    }
  }

  /** pci_match_device: a driver_override replaces the ID table (and then matches any device). */
  private matches(driver: PciDriver, fn: PciFunction): boolean {
    return fn.override !== null ? fn.override === driver.name : driver.matches(fn);
  }

  private async probe(driver: PciDriver, fn: PciFunction): Promise<void> {
    // pci_device_can_probe (≥ 5.3): a VF probes only when its PF's autoprobe is on or it has a driver_override.
    if (fn.physfn && !fn.physfn.sriov?.autoprobe && fn.override === null) {
      throw new Errno('ENODEV', `${fn.address}: VF probing is off (sriov_drivers_autoprobe=0, no driver_override)`);
    }
    await driver.prepare(fn);
    driver.attach(fn);
    this.link(fn, driver);
  }

  private async release(fn: PciFunction): Promise<void> {
    const driver = fn.driver;
    if (!driver) return;
    await driver.detach(fn);
    this.vfs.remove(`${fn.dir}/driver`);
    this.vfs.remove(`${BUS}/drivers/${driver.name}/${fn.address}`);
    fn.driver = null;
    this.log.uevent('unbind', fn.dir);
  }

  private link(fn: PciFunction, driver: PciDriver): void {
    const driverDir = `${BUS}/drivers/${driver.name}`;
    this.vfs.symlink(`${fn.dir}/driver`, posix.relative(fn.dir, driverDir));
    this.vfs.symlink(`${driverDir}/${fn.address}`, posix.relative(driverDir, fn.dir));
    fn.driver = driver;
    fn.probes++;
    this.log.uevent('bind', fn.dir);
  }

  /** bus_find_device_by_name compares with sysfs_streq: one trailing newline is tolerated. */
  private find(value: string): PciFunction {
    const name = value.endsWith('\n') ? value.slice(0, -1) : value;
    const fn = this.functions.get(name);
    if (!fn) throw new Errno('ENODEV', `no PCI device ${JSON.stringify(name)}`);
    return fn;
  }
}
