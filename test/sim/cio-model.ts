// The channel subsystem: ccw devices and their subchannels under /sys/devices/css0, the /sys/bus/ccw view,
// driver binding, and cio_ignore with its asynchronous re-evaluation and /proc/cio_settle (reference qeth §1.3,
// §3.1, §3.3). Ignored devices are not registered at all: no subchannel, no bus link.
import type { Clock } from '../../src/host/host.js';
import type { BusId } from '../../src/values/bus-id.js';
import { devnoOf, parseBusId } from '../../src/values/bus-id.js';
import { CioIgnoreList } from './cio-ignore-list.js';
import { Errno } from './errno.js';
import type { KernelLog } from './klog.js';
import { defaultDevtype, qethCardType } from './qeth-ids.js';
import type { CcwSpec } from './spec.js';
import type { Vfs } from './vfs.js';

export interface CcwDevice {
  readonly busId: BusId;
  readonly ssid: number;
  readonly devno: number;
  readonly cutype: string;
  readonly devtype: string;
  readonly chpid: string;
  readonly subchannel: string;
  readonly fixedDriver: string | null | undefined;
  registered: boolean;
  driver: string | null;
  online: boolean;
  /** drvdata: the group this device is a member of. */
  group: BusId | null;
}

export class CioModel {
  readonly devices = new Map<string, CcwDevice>();
  readonly ignore: CioIgnoreList;
  private readonly drivers = new Map<string, (device: CcwDevice) => boolean>();
  private readonly evaluations = new Set<Promise<void>>();
  /** ccwgroup_remove_ccwdev: a member going away dissolves its group (set by the qeth model). */
  onRemove: (device: CcwDevice) => void = () => undefined;

  constructor(
    private readonly vfs: Vfs,
    private readonly clock: Clock,
    private readonly log: KernelLog,
    private readonly options: { devices: CcwSpec[]; ignored: string[]; appearDelayMs: number; condev?: string },
  ) {
    const condev = options.condev === undefined ? undefined : parseBusId(options.condev);
    this.ignore = new CioIgnoreList(condev ? { condev: { ssid: Number(condev[2]), devno: devnoOf(condev) } } : {});
    if (!this.ignore.apply(options.ignored.join(',') || undefined, 'add')) throw new Error(`fixture: bad cio_ignore items ${options.ignored.join(',')}`);
    vfs.mkdir('/sys/bus/ccw/devices');
    vfs.mkdir('/sys/bus/ccw/drivers');
    vfs.attr('/proc/cio_ignore', { read: () => this.ignore.format(), write: (value) => this.cioIgnoreWrite(value) });
    // cio_settle_write → css_complete_work: blocks until every pending evaluation (device recognition) is done.
    vfs.attr('/proc/cio_settle', { write: () => this.settle() });
    options.devices.forEach((spec, index) => {
      const device = createDevice(spec, index);
      this.devices.set(device.busId, device);
      if (!this.isIgnored(device.busId)) this.register(device);
    });
  }

  isIgnored(busId: string): boolean {
    const id = parseBusId(busId);
    return id !== undefined && this.ignore.has(Number(id[2]), devnoOf(id));
  }

  /** get_ccwdev_by_dev_id: only registered devices can be found. */
  lookup(busId: BusId): CcwDevice | undefined {
    const device = this.devices.get(busId);
    return device?.registered ? device : undefined;
  }

  /** A ccw driver registers (module init): it binds every registered, unbound device its id table lists. */
  registerDriver(name: string, matches: (device: CcwDevice) => boolean): void {
    this.drivers.set(name, matches);
    this.vfs.mkdir(`/sys/bus/ccw/drivers/${name}`);
    for (const device of this.devices.values()) if (device.registered && !device.driver && device.fixedDriver === undefined && matches(device)) this.bind(device, name);
  }

  async settle(): Promise<void> {
    while (this.evaluations.size > 0) await Promise.all(this.evaluations);
  }

  devicePath(device: CcwDevice): string {
    return `/sys/devices/css0/${device.subchannel}/${device.busId}`;
  }

  /** cio_ignore_write: trailing whitespace stripped, the verb split off at the first space (§3.1). */
  private cioIgnoreWrite(value: string): void {
    const text = value.slice(0, 65536).replace(/[\s\0]+$/, '');
    const space = text.indexOf(' ');
    const verb = space < 0 ? text : text.slice(0, space);
    const list = space < 0 ? undefined : text.slice(space + 1);
    if (verb === 'purge') return this.purge();
    if (verb !== 'free' && verb !== 'add') throw new Errno('EINVAL', `unknown verb ${JSON.stringify(verb)}`);
    const ok = this.ignore.apply(list, verb);
    // css_schedule_eval_all_unreg: the freed devices register later, after this write has returned.
    if (verb === 'free') this.scheduleEvaluation();
    if (!ok) throw new Errno('EINVAL', `invalid item in ${JSON.stringify(list)} (valid items were applied)`);
  }

  private scheduleEvaluation(): void {
    const done = this.clock.sleep(this.options.appearDelayMs).then(() => {
      for (const device of this.devices.values()) if (!device.registered && !this.isIgnored(device.busId)) this.register(device);
      this.evaluations.delete(done);
    });
    this.evaluations.add(done);
  }

  /** ccw_purge_blacklisted: unregister offline devices that are on the list (a group losing a member goes too). */
  private purge(): void {
    for (const device of this.devices.values()) {
      if (!device.registered || device.online || !this.isIgnored(device.busId)) continue;
      this.onRemove(device);
      this.vfs.remove(`/sys/devices/css0/${device.subchannel}`);
      this.vfs.remove(`/sys/bus/ccw/devices/${device.busId}`);
      if (device.driver) this.vfs.remove(`/sys/bus/ccw/drivers/${device.driver}/${device.busId}`);
      [device.registered, device.driver] = [false, null];
      this.log.uevent('remove', this.devicePath(device));
    }
  }

  private register(device: CcwDevice): void {
    device.registered = true;
    const subchannel = `/sys/devices/css0/${device.subchannel}`;
    // chpids_show prints "%02x " for each of the 8 paths, so the line ends in a space before the newline.
    this.vfs.attr(`${subchannel}/chpids`, `${[device.chpid, ...Array(7).fill('00')].map((c) => `${c} `).join('')}\n`);
    this.vfs.attr(`${subchannel}/pimpampom`, '80 80 80\n');
    this.vfs.attr(`${subchannel}/type`, '0\n');
    const chpidType = qethCardType(device.cutype, device.devtype)?.chpidType;
    if (chpidType) this.vfs.attr(`/sys/devices/css0/chp0.${device.chpid}/type`, `${chpidType}\n`);
    const dir = this.devicePath(device);
    this.vfs.attr(`${dir}/cutype`, `${device.cutype}\n`);
    this.vfs.attr(`${dir}/devtype`, `${device.devtype}\n`);
    this.vfs.attr(`${dir}/availability`, 'good\n');
    this.vfs.attr(`${dir}/modalias`, `${modalias(device.cutype, device.devtype)}\n`);
    // Writable (0644) in the kernel; the agent never writes it, so the sim keeps it read-only.
    this.vfs.attr(`${dir}/online`, { read: () => (device.online ? '1\n' : '0\n') });
    this.vfs.symlink(`${dir}/subsystem`, '../../../../bus/ccw');
    this.vfs.symlink(`/sys/bus/ccw/devices/${device.busId}`, `../../../devices/css0/${device.subchannel}/${device.busId}`);
    this.log.uevent('add', dir);
    const driver = device.fixedDriver ?? [...this.drivers].find(([, matches]) => matches(device))?.[0];
    if (device.fixedDriver !== null && driver) this.bind(device, driver);
  }

  private bind(device: CcwDevice, driver: string): void {
    device.driver = driver;
    this.vfs.symlink(`${this.devicePath(device)}/driver`, `../../../../bus/ccw/drivers/${driver}`);
    this.vfs.symlink(`/sys/bus/ccw/drivers/${driver}/${device.busId}`, `../../../../devices/css0/${device.subchannel}/${device.busId}`);
    this.log.uevent('bind', this.devicePath(device));
  }
}

function createDevice(spec: CcwSpec, index: number): CcwDevice {
  const busId = parseBusId(spec.busId);
  if (!busId) throw new Error(`fixture: not a bus id: ${spec.busId}`);
  const cutype = spec.cutype ?? '1731/01';
  return {
    busId,
    ssid: Number(busId[2]),
    devno: devnoOf(busId),
    cutype,
    devtype: spec.devtype ?? defaultDevtype(cutype),
    chpid: (spec.chpid ?? '11').toLowerCase(),
    subchannel: spec.subchannel ?? `0.0.${index.toString(16).padStart(4, '0')}`,
    fixedDriver: spec.driver,
    registered: false,
    driver: null,
    online: false,
    group: null,
  };
}

/** snprint_alias: `ccw:t%04Xm%02Xdt%04Xdm%02X`, e.g. ccw:t1731m01dt1732dm01. */
function modalias(cutype: string, devtype: string): string {
  const [cu = '0000', cm = '00'] = cutype.toUpperCase().split('/');
  const [dt = '0000', dm = '00'] = devtype === 'n/a' ? [] : devtype.toUpperCase().split('/');
  return `ccw:t${cu}m${cm}dt${dt}dm${dm}`;
}
