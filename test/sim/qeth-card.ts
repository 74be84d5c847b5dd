// One qeth group device and its card: the ccwgroup online/offline protocol (device_lock, the `onoff` claim) and
// qeth's part of it (discipline, hardsetup, netdev registration and detach), reference qeth §0.3–0.7, §2.3–2.5, §7.
import type { Clock } from '../../src/host/host.js';
import type { BusId } from '../../src/values/bus-id.js';
import { predictableName } from '../../src/values/bus-id.js';
import type { CcwDevice } from './cio-model.js';
import { Errno } from './errno.js';
import type { Faults } from './faults.js';
import type { KernelLog } from './klog.js';
import { kstrtoul } from './kstrto.js';
import type { Modules } from './modules.js';
import { Mutex } from './mutex.js';
import type { Netdev, NetModel } from './net-model.js';
import type { QethCardType } from './qeth-ids.js';

export interface CardEnv {
  clock: Clock;
  modules: Modules;
  net: NetModel;
  log: KernelLog;
  faults: Faults;
  onlineLatencyMs: number;
  offlineLatencyMs: number;
}

export class QethCard {
  /** ccwgroup state ONLINE; also card->state != DOWN (the two change together under the card's locks here). */
  online = false;
  /** card->options.layer: -1 until a discipline is set up (§2.2). */
  layer2: -1 | 0 | 1;
  /** dev_port. */
  portno = 0;
  bufferCount: number;
  /** Allocated at the first successful online and kept across offline (§2.5). */
  netdev: Netdev | null = null;
  /** card->discipline_mutex + conf_mutex: attribute stores wait here while an online runs. */
  readonly confLock = new Mutex();
  /** device_lock(&gdev->dev): serialises writers of `online` (a second `1` waits, then gets EINVAL). */
  private readonly deviceLock = new Mutex();
  /** gdev->onoff: claimed by online/offline/ungroup; whoever finds it taken gets EAGAIN. */
  private onoff = false;

  constructor(
    readonly busId: BusId,
    readonly members: readonly CcwDevice[],
    readonly type: QethCardType,
    readonly enforcedLayer: 0 | 1 | undefined,
    readonly portCount: number,
    private readonly env: CardEnv,
  ) {
    this.layer2 = enforcedLayer ?? -1;
    this.bufferCount = type.bufferCount;
  }

  get path(): string {
    return `/sys/devices/qeth/${this.busId}`;
  }

  /** qeth_get_card_state_str: SOFTSETUP until the interface is up. */
  get state(): string {
    if (!this.online) return 'DOWN';
    return this.netdev?.up ? 'UP (LAN ONLINE)' : 'SOFTSETUP';
  }

  /** ccwgroup_online_store: device_lock, kstrtoul(buf, 0), then 1 → online, 0 → offline, anything else EINVAL. */
  async onlineStore(value: string): Promise<void> {
    await this.deviceLock.run(async () => {
      const wanted = kstrtoul(value, 0);
      if (wanted === 1) return this.claim(() => this.setOnline());
      if (wanted === 0) return this.claim(() => this.setOffline());
      throw new Errno('EINVAL', `online takes 0 or 1, not ${JSON.stringify(value)}`);
    });
  }

  /** ccwgroup_ungroup_store's checks: EAGAIN while online/offline runs, EINVAL while online (§1.5). */
  checkUngroup(): void {
    if (this.onoff) throw new Errno('EAGAIN', 'an online/offline is in progress');
    if (this.online) throw new Errno('EINVAL', 'the device is online');
  }

  /** qeth_setup_discipline: loads qeth_l2/qeth_l3 on demand (request_module); EINVAL when it is not installed. */
  setupDiscipline(layer: 0 | 1): void {
    if (!this.env.modules.load(layer === 1 ? 'qeth_l2' : 'qeth_l3')) {
      this.env.log.print(`qeth ${this.busId}: There is no kernel module to support discipline ${layer}`);
      throw new Errno('EINVAL', `the qeth_l${layer === 1 ? 2 : 3} module cannot be loaded`);
    }
    this.layer2 = layer;
  }

  /** Removing the discipline (a layer switch) unregisters the interface; it returns at the next online (§2.2). */
  removeDiscipline(): void {
    if (this.netdev) this.env.net.unregister(this.netdev);
    this.netdev = null;
    this.layer2 = -1;
  }

  /** A group that is online at boot (fixture): the end state of setOnline, without waiting. */
  presetOnline(mac: string | undefined, kernelName: boolean): void {
    if (this.layer2 === -1) this.setupDiscipline(this.type.kind === 'IQD' ? 0 : 1);
    for (const member of this.members) member.online = true;
    this.registerNetdev(kernelName ? undefined : predictableName(this.busId));
    if (mac) this.netdev!.mac = mac.toLowerCase();
    this.online = true;
  }

  private async claim(run: () => Promise<void>): Promise<void> {
    if (this.onoff) throw new Errno('EAGAIN', 'an online/offline/ungroup is in progress');
    this.onoff = true;
    try {
      await run();
    } finally {
      this.onoff = false;
    }
  }

  /** ccwgroup_set_online (EINVAL if already online) → qeth_core_set_online → qeth_set_online. */
  private async setOnline(): Promise<void> {
    if (this.online) throw new Errno('EINVAL', 'already online');
    await this.confLock.run(async () => {
      // No layer chosen: HiperSockets default to layer 3, everything else to layer 2 (§2.2).
      if (this.layer2 === -1) this.setupDiscipline(this.type.kind === 'IQD' ? 0 : 1);
      await this.hardsetup();
      if (this.netdev) this.netdev.present = true; // later onlines: netif_device_attach
      else this.registerNetdev(undefined);
      this.online = true;
      this.env.log.uevent('change', this.path);
    });
  }

  /** qeth_set_offline: always succeeds; the interface stays, detached, with its name (§2.5). */
  private async setOffline(): Promise<void> {
    if (!this.online) throw new Errno('EINVAL', 'already offline');
    await this.confLock.run(async () => {
      await this.env.clock.sleep(this.env.offlineLatencyMs);
      if (this.netdev) this.netdev.present = false;
      for (const member of this.members) member.online = false;
      this.online = false;
      this.env.log.uevent('change', this.path);
    });
  }

  /** qeth_hardsetup_card: the channels go online first, then the slow IDX/MPC/STARTLAN exchange; any failure
   * stops the channels again and surfaces as ENODEV (or the injected errno). */
  private async hardsetup(): Promise<void> {
    for (const member of this.members) member.online = true;
    await this.env.clock.sleep(this.env.onlineLatencyMs);
    const errno = this.env.faults.take('online', [this.busId, this.path]);
    if (!errno) return;
    for (const member of this.members) member.online = false;
    this.env.log.print(`qeth ${this.busId}: hardsetup failed (${errno}, injected)`);
    throw new Errno(errno, 'hardsetup failed (injected)');
  }

  /** register_netdev at the first online: eth%d / hsi%d under the group device; udev renames it to enc<id>. */
  private registerNetdev(fixedName: string | undefined): void {
    const devno = this.busId.slice(-4);
    this.netdev = this.env.net.register({
      pattern: fixedName ?? this.type.pattern,
      parent: this.path,
      // READ_MAC's answer: a stable, locally administered unicast address per device (0.0.0001 → 02:00:00:00:00:01).
      mac: `02:00:00:00:${devno.slice(0, 2)}:${devno.slice(2)}`,
      udevName: fixedName ? undefined : predictableName(this.busId),
      // Layer 3 has no ndo_set_mac_address, so the core answers EOPNOTSUPP (§5).
      ops: this.layer2 === 1 ? { setMac: (mac) => this.setMac(mac) } : {},
    });
  }

  /** qeth_l2_set_mac_address: OSM/OSX refuse, invalid (multicast, zero) → EADDRNOTAVAIL, then SETVMAC's answer. */
  private setMac(mac: string): void {
    if (this.type.macFixed) throw new Errno('EOPNOTSUPP', `${this.type.kind} cards keep their MAC`);
    const bytes = mac.split(':').map((byte) => Number.parseInt(byte, 16));
    if ((bytes[0]! & 1) === 1 || bytes.every((byte) => byte === 0)) throw new Errno('EADDRNOTAVAIL', `${mac} is not a unicast address`);
    const errno = this.env.faults.take('set-mac', [this.busId, this.netdev?.name]);
    if (errno) throw new Errno(errno, 'refused by the adapter (injected)');
  }
}
