// The qeth driver as modules and ccwgroup see it: what `modprobe qeth` creates (§4), the group write with every
// check ccwgroup_create_dev makes, in its order (§1.1, §1.2, all EINVAL), the sysfs shape of a new group (§1.4),
// and ungroup (§1.5). The per-card behaviour (online, attributes) lives in qeth-card.ts and qeth-attrs.ts.
import type { BusId } from '../../src/values/bus-id.js';
import { busIdFromDevno } from '../../src/values/bus-id.js';
import { getNextId } from './ccwgroup-parse.js';
import type { CcwDevice, CioModel } from './cio-model.js';
import { Errno } from './errno.js';
import type { KernelLog } from './klog.js';
import type { Modules } from './modules.js';
import { addGroupAttributes } from './qeth-attrs.js';
import type { CardEnv } from './qeth-card.js';
import { QethCard } from './qeth-card.js';
import { qethCardType } from './qeth-ids.js';
import type { GroupPreset } from './spec.js';
import type { Vfs } from './vfs.js';

const DRIVER = '/sys/bus/ccwgroup/drivers/qeth';

export interface QethModelOptions {
  portCount?: number;
  enforcedLayer?: Record<string, 0 | 1>;
}

export class QethModel {
  readonly cards = new Map<string, QethCard>();

  constructor(
    private readonly vfs: Vfs,
    private readonly cio: CioModel,
    private readonly modules: Modules,
    private readonly log: KernelLog,
    private readonly env: CardEnv,
    private readonly options: QethModelOptions,
  ) {
    // ccwgroup is a module qeth depends on: /sys/bus/ccwgroup only appears with it (§4).
    modules.define('ccwgroup', { init: () => ['devices', 'drivers'].forEach((d) => vfs.mkdir(`/sys/bus/ccwgroup/${d}`)) });
    modules.define('qdio', {});
    modules.define('qeth', { deps: ['ccwgroup', 'qdio'], init: () => this.init() });
    modules.define('qeth_l2', { deps: ['qeth'] });
    modules.define('qeth_l3', { deps: ['qeth'] });
    // ccwgroup_remove_ccwdev: a member that goes away takes its group with it.
    cio.onRemove = (device) => {
      const card = device.group ? this.cards.get(device.group) : undefined;
      if (card) this.dissolve(card);
    };
  }

  /** A group that exists at boot: created as a group write would, then configured and maybe onlined. */
  preset(preset: GroupPreset): void {
    const members = preset.members.map((id) => this.cio.lookup(id as BusId) ?? fixtureError(`${id} is not visible (cio_ignore?)`));
    if (members.some((device) => device.driver !== 'qeth')) fixtureError(`${preset.members.join(',')} are not all bound to qeth`);
    const card = this.create(members);
    if (preset.layer2 !== undefined && preset.layer2 !== card.layer2) card.setupDiscipline(preset.layer2);
    card.portno = preset.portno ?? 0;
    card.bufferCount = preset.bufferCount ?? card.bufferCount;
    if (preset.online) card.presetOnline(preset.mac, preset.kernelName ?? false);
  }

  /** qeth module init: root_device_register("qeth"), the ccw driver (binds the 1731/xx devices), the ccwgroup
   * driver with its write-only `group` file. */
  private init(): void {
    this.vfs.mkdir('/sys/devices/qeth');
    this.cio.registerDriver('qeth', (device) => qethCardType(device.cutype, device.devtype) !== undefined);
    this.vfs.attr(`${DRIVER}/group`, { write: (value) => void this.create(this.parseGroup(value)) });
    this.vfs.attr(`${DRIVER}/uevent`, { write: () => undefined });
  }

  /** ccwgroup_create_dev's checks, in order; every failure is EINVAL (§1.2). */
  private parseGroup(value: string): CcwDevice[] {
    const members: CcwDevice[] = [];
    let rest: string | null = value;
    for (let i = 0; i < 3 && rest !== null; i++) {
      const next = getNextId(rest);
      rest = next.rest;
      if (!next.id) throw new Errno('EINVAL', `token ${i + 1} is not a bus id (%2x.%1x.%04x, ≤ 9 characters)`);
      const busId = busIdFromDevno(next.id.devno).replace(/^0\.0/, `0.${next.id.ssid.toString(16)}`) as BusId;
      // A device hidden by cio_ignore is not registered, so it cannot be found either.
      const device = next.id.ssid <= 3 ? this.cio.lookup(busId) : undefined;
      if (!device) throw new Errno('EINVAL', `${busId} does not exist`);
      const first = members[0] ?? device;
      if (!device.driver || device.driver !== first.driver) throw new Errno('EINVAL', `${busId} is not bound to ${first.driver ?? 'a driver'}`);
      if (`${device.cutype} ${device.devtype}` !== `${first.cutype} ${first.devtype}`) throw new Errno('EINVAL', `${busId} is a different card type`);
      if (device.group || members.includes(device)) throw new Errno('EINVAL', `${busId} is already grouped`);
      members.push(device);
    }
    if (members.length < 3) throw new Errno('EINVAL', `${members.length} bus ids, qeth needs 3`);
    if (rest !== null && rest.length > 0) throw new Errno('EINVAL', `trailing data ${JSON.stringify(rest)}`);
    if (members[0]!.driver !== 'qeth') throw new Errno('EINVAL', `${members[0]!.busId} is bound to ${members[0]!.driver}, not qeth`);
    return members;
  }

  /** gdrv->setup (qeth_core_probe_device, incl. an enforced layer), device_add and the symlinks (§1.4). */
  private create(members: CcwDevice[]): QethCard {
    const read = members[0]!;
    const type = qethCardType(read.cutype, read.devtype)!;
    const enforced = this.options.enforcedLayer?.[read.busId] ?? type.enforcedLayer;
    const portCount = this.options.portCount ?? (type.kind === 'IQD' ? 1 : 2);
    const card = new QethCard(read.busId, members, type, enforced, portCount, this.env);
    if (enforced !== undefined) card.setupDiscipline(enforced);
    this.cards.set(read.busId, card);
    const dir = card.path;
    addGroupAttributes(this.vfs, card, () => this.ungroup(card));
    this.vfs.symlink(`${dir}/driver`, '../../../bus/ccwgroup/drivers/qeth');
    this.vfs.symlink(`${dir}/subsystem`, '../../../bus/ccwgroup');
    members.forEach((device, index) => {
      device.group = read.busId;
      this.vfs.symlink(`${dir}/cdev${index}`, `../../css0/${device.subchannel}/${device.busId}`);
      this.vfs.symlink(`${this.cio.devicePath(device)}/group_device`, `../../../qeth/${read.busId}`);
    });
    this.vfs.symlink(`/sys/bus/ccwgroup/devices/${read.busId}`, `../../../devices/qeth/${read.busId}`);
    this.vfs.symlink(`${DRIVER}/${read.busId}`, `../../../../devices/qeth/${read.busId}`);
    this.log.uevent('add', dir);
    return card;
  }

  /** ccwgroup_ungroup_store: EAGAIN/EINVAL per the card, then the device and its interface go away. */
  private ungroup(card: QethCard): void {
    card.checkUngroup();
    this.dissolve(card);
  }

  private dissolve(card: QethCard): void {
    card.removeDiscipline();
    for (const device of card.members) {
      device.group = null;
      device.online = false;
      this.vfs.remove(`${this.cio.devicePath(device)}/group_device`);
    }
    this.cards.delete(card.busId);
    this.vfs.remove(card.path);
    this.vfs.remove(`/sys/bus/ccwgroup/devices/${card.busId}`);
    this.vfs.remove(`${DRIVER}/${card.busId}`);
    this.log.uevent('remove', card.path);
  }
}

function fixtureError(message: string): never {
  throw new Error(`fixture: ${message}`);
}
