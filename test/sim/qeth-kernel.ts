// The simulated s390 kernel for qeth: ccw devices behind cio_ignore, the qeth module, ccwgroup grouping,
// qeth attributes frozen while online, blocking online, netdev registration and udev's rename.
// Every rule cites reference/qeth-sysfs.md; the agent must get through it the way it would on hardware.
import { setTimeout as sleep } from 'node:timers/promises';
import { HostError } from '../../src/host/host.js';
import type { BusId } from '../../src/values/bus-id.js';
import { parseBusId, predictableName } from '../../src/values/bus-id.js';
import { CioBlacklist } from './cio-blacklist.js';
import { SysfsTree } from './sysfs-tree.js';

export interface CcwSpec {
  busId: string;
  /** `1731/01` OSA (default), `1731/05` HiperSockets, anything else is not qeth's. */
  cutype?: string;
  chpid?: string;
}

export interface QethKernelOptions {
  devices: CcwSpec[];
  moduleLoaded?: boolean;
  /** cio_ignore items hidden at boot, e.g. `0.0.0004-0.0.0006`. */
  ignored?: string[];
  onlineLatencyMs?: number;
  /** udev's rename after registration: after a delay, never (net.ifnames=0), or just as `ip` touches the old name. */
  rename?: { mode: 'delay'; ms: number } | { mode: 'never' } | { mode: 'on-first-ip' };
  /** How long freed devices take to appear (asynchronous CIO evaluation). */
  appearDelayMs?: number;
  modprobeLatencyMs?: number;
  modprobeFails?: boolean;
  /** Ports of each adapter (portno beyond → EINVAL). */
  portCount?: number;
  /** Layer enforced at group time (z/VM NIC, OSM): writing the other value → EOPNOTSUPP. */
  enforcedLayer?: Record<string, 0 | 1>;
}

interface Ccw { busId: BusId; cutype: string; chpid: string; subchannel: string; visible: boolean; online: boolean; group: BusId | null }
export interface Group { busId: BusId; members: BusId[]; online: boolean; layer2: number; portno: number; busy: boolean; netdev: string | null }
export interface Netdev { name: string; group: BusId; mac: string; attached: boolean }

const OSA = '1731/01';
const HIPERSOCKETS = '1731/05';

export class QethKernel {
  readonly tree = new SysfsTree();
  private readonly ccws = new Map<string, Ccw>();
  private readonly groups = new Map<string, Group>();
  private readonly netdevs = new Map<string, Netdev>();
  private readonly blacklist: CioBlacklist;
  private readonly appearing: Promise<void>[] = [];
  private readonly pendingRenames = new Set<string>();
  private moduleLoaded = false;
  private counters = { eth: 0, hsi: 0 };

  constructor(readonly options: QethKernelOptions) {
    this.blacklist = new CioBlacklist(options.ignored);
    this.tree.mkdir('/sys/bus/ccw/devices');
    this.tree.mkdir('/sys/bus/ccwgroup/devices');
    this.tree.mkdir('/sys/class/net');
    this.tree.attr('/proc/cio_ignore', { read: () => this.blacklist.read(), write: (value) => this.cioIgnoreWrite(value) });
    // Blocks until every pending device evaluation has finished (css_complete_work).
    this.tree.attr('/proc/cio_settle', { write: async () => void (await Promise.all(this.appearing)) });
    options.devices.forEach((spec, index) => {
      const busId = parseBusId(spec.busId)!;
      const ccw: Ccw = { busId, cutype: spec.cutype ?? OSA, chpid: spec.chpid ?? '11', subchannel: `0.0.${index.toString(16).padStart(4, '0')}`, visible: false, online: false, group: null };
      this.ccws.set(busId, ccw);
      if (!this.blacklist.has(devno(busId))) this.register(ccw);
    });
    if (options.moduleLoaded) this.loadModule();
  }

  // ---- inspection for tests -------------------------------------------------------------------------
  group(busId: string): Group | undefined {
    const group = this.groups.get(busId);
    return group && { ...group, members: [...group.members] };
  }
  netdevOf(busId: string): Netdev | undefined {
    return [...this.netdevs.values()].find((netdev) => netdev.group === busId);
  }
  isModuleLoaded(): boolean {
    return this.moduleLoaded;
  }
  isIgnored(busId: string): boolean {
    return this.blacklist.has(devno(busId as BusId));
  }

  // ---- programs (exec) ------------------------------------------------------------------------------
  /** `modprobe qeth [qeth_l2]`: loads once (§4). */
  async modprobe(modules: readonly string[]): Promise<{ exitCode: number; stderr: string }> {
    if (this.options.modprobeFails) return { exitCode: 1, stderr: `modprobe: FATAL: Module ${modules[0]} not found in directory /lib/modules/6.1.0-28-s390x` };
    await sleep(this.options.modprobeLatencyMs ?? 0);
    if (modules.includes('qeth') && !this.moduleLoaded) this.loadModule();
    return { exitCode: 0, stderr: '' };
  }

  /** `ip link set dev <if> address <mac>` (§5): what iproute2 prints and exits with. */
  setMac(ifname: string, mac: string): { exitCode: number; stderr: string } {
    if (this.pendingRenames.has(ifname)) this.renameNow(ifname);
    const netdev = this.netdevs.get(ifname);
    if (!netdev) return { exitCode: 1, stderr: `Cannot find device "${ifname}"` };
    if (!netdev.attached) return { exitCode: 2, stderr: 'RTNETLINK answers: No such device' };
    if (this.groups.get(netdev.group)!.layer2 !== 1) return { exitCode: 2, stderr: 'RTNETLINK answers: Operation not supported' };
    const first = Number.parseInt(mac.slice(0, 2), 16);
    if (first & 1 || /^[0:]+$/.test(mac)) return { exitCode: 2, stderr: 'RTNETLINK answers: Cannot assign requested address' };
    netdev.mac = mac;
    return { exitCode: 0, stderr: '' };
  }

  // ---- channel subsystem ----------------------------------------------------------------------------
  private async cioIgnoreWrite(value: string): Promise<void> {
    let freed: number[];
    let failure: unknown;
    try {
      freed = this.blacklist.write(value).freed;
    } catch (error) {
      freed = (error as { freed?: number[] }).freed ?? [];
      failure = error;
    }
    // css_schedule_eval_all_unreg: the devices register asynchronously, after the write returned.
    for (const ccw of this.ccws.values()) {
      if (ccw.visible || !freed.includes(devno(ccw.busId))) continue;
      this.appearing.push(sleep(this.options.appearDelayMs ?? 30).then(() => this.register(ccw)));
    }
    if (failure) throw failure;
  }

  private register(ccw: Ccw): void {
    ccw.visible = true;
    const sub = `/sys/devices/css0/${ccw.subchannel}`;
    this.tree.attr(`${sub}/chpids`, `${ccw.chpid} 00 00 00 00 00 00 00\n`);
    this.tree.attr(`${sub}/pimpampom`, '80 80 80\n');
    const dir = `${sub}/${ccw.busId}`;
    this.tree.attr(`${dir}/cutype`, `${ccw.cutype}\n`);
    this.tree.attr(`${dir}/devtype`, `${ccw.cutype === HIPERSOCKETS ? '1732/05' : '1732/01'}\n`);
    this.tree.attr(`${dir}/availability`, 'good\n');
    this.tree.attr(`${dir}/online`, { read: () => (ccw.online ? '1\n' : '0\n') });
    this.tree.link(`/sys/bus/ccw/devices/${ccw.busId}`, `../../../devices/css0/${ccw.subchannel}/${ccw.busId}`);
    if (this.moduleLoaded) this.bindCcw(ccw);
  }

  // ---- the qeth module --------------------------------------------------------------------------------
  private loadModule(): void {
    this.moduleLoaded = true;
    this.tree.mkdir('/sys/devices/qeth');
    this.tree.mkdir('/sys/bus/ccw/drivers/qeth');
    this.tree.attr('/sys/bus/ccwgroup/drivers/qeth/group', { write: (value) => this.groupWrite(value) });
    for (const ccw of this.ccws.values()) if (ccw.visible) this.bindCcw(ccw);
  }

  /** qeth's ccw driver binds its CU types only (qeth_ids, §1.3). */
  private bindCcw(ccw: Ccw): void {
    if (ccw.cutype !== OSA && ccw.cutype !== HIPERSOCKETS) return;
    this.tree.link(`/sys/devices/css0/${ccw.subchannel}/${ccw.busId}/driver`, '../../../../bus/ccw/drivers/qeth');
  }

  /** §1.1/§1.2: exactly three ids, parsed like sscanf("%2x.%1x.%04x"); every failure is EINVAL. */
  private groupWrite(value: string): void {
    const einval = (why: string) => new HostError('write', '/sys/bus/ccwgroup/drivers/qeth/group', 'EINVAL', why);
    const tokens = value.replace(/\n$/, '').split(',');
    if (tokens.length !== 3) throw einval(`${tokens.length} ids`);
    const ids = tokens.map((token) => {
      const match = token.length <= 9 ? /^([0-9a-f]{1,2})\.([0-9a-f])\.([0-9a-f]{1,4})/i.exec(token) : null;
      if (!match) throw einval(`bad id ${JSON.stringify(token)}`);
      return `${Number.parseInt(match[1]!, 16)}.${match[2]!.toLowerCase()}.${match[3]!.toLowerCase().padStart(4, '0')}`;
    });
    if (new Set(ids).size !== 3) throw einval('an id appears twice');
    const members = ids.map((id) => {
      const ccw = this.ccws.get(id);
      if (!ccw?.visible) throw einval(`${id} does not exist`);
      if (!this.tree.exists(`/sys/bus/ccw/devices/${id}/driver`)) throw einval(`${id} is not bound to qeth`);
      if (ccw.group) throw einval(`${id} is already grouped`);
      return ccw;
    });
    if (new Set(members.map((ccw) => ccw.cutype)).size !== 1) throw einval('mixed card types');
    this.createGroup(members);
  }

  private createGroup(members: Ccw[]): void {
    const read = members[0]!;
    const enforced = this.options.enforcedLayer?.[read.busId];
    const group: Group = { busId: read.busId, members: members.map((ccw) => ccw.busId), online: false, layer2: enforced ?? -1, portno: 0, busy: false, netdev: null };
    this.groups.set(read.busId, group);
    const dir = `/sys/devices/qeth/${read.busId}`;
    this.tree.attr(`${dir}/online`, { read: () => (group.online ? '1\n' : '0\n'), write: (value) => this.onlineWrite(group, read.cutype, value) });
    this.tree.attr(`${dir}/portno`, { read: () => `${group.portno}\n`, write: (value) => this.portnoWrite(group, value) });
    this.tree.attr(`${dir}/layer2`, { read: () => `${group.layer2}\n`, write: (value) => this.layer2Write(group, value) });
    this.tree.attr(`${dir}/card_type`, read.cutype === HIPERSOCKETS ? 'HiperSockets\n' : 'OSD_10GIG\n');
    this.tree.attr(`${dir}/chpid`, `${read.chpid.toUpperCase()}\n`);
    this.tree.attr(`${dir}/ungroup`, { write: () => this.ungroup(group) });
    this.tree.link(`${dir}/driver`, '../../../bus/ccwgroup/drivers/qeth');
    members.forEach((ccw, index) => {
      ccw.group = read.busId;
      this.tree.link(`${dir}/cdev${index}`, `../../css0/${ccw.subchannel}/${ccw.busId}`);
      this.tree.link(`/sys/devices/css0/${ccw.subchannel}/${ccw.busId}/group_device`, `../../../qeth/${read.busId}`);
    });
    this.tree.link(`/sys/bus/ccwgroup/devices/${read.busId}`, `../../../devices/qeth/${read.busId}`);
    this.tree.link(`/sys/bus/ccwgroup/drivers/qeth/${read.busId}`, `../../../../devices/qeth/${read.busId}`);
  }

  /** §2.3: kstrtoul 0/1; EINVAL when already so; EAGAIN when busy; blocks; reads 0 until done. */
  private async onlineWrite(group: Group, cutype: string, value: string): Promise<void> {
    const path = `/sys/bus/ccwgroup/devices/${group.busId}/online`;
    const match = /^([01])\n?$/.exec(value);
    if (!match) throw new HostError('write', path, 'EINVAL', `not 0 or 1: ${JSON.stringify(value)}`);
    const wanted = match[1] === '1';
    if (group.busy) throw new HostError('write', path, 'EAGAIN');
    if (wanted === group.online) throw new HostError('write', path, 'EINVAL', 'already in that state');
    group.busy = true;
    try {
      if (wanted) await sleep(this.options.onlineLatencyMs ?? 0);
      if (wanted && group.layer2 === -1) group.layer2 = cutype === HIPERSOCKETS ? 0 : 1;
      group.online = wanted;
      for (const id of group.members) this.ccws.get(id)!.online = wanted;
      if (wanted && !group.netdev) this.registerNetdev(group, cutype);
      else if (group.netdev) this.netdevs.get(group.netdev)!.attached = wanted;
    } finally {
      group.busy = false;
    }
  }

  /** §2.1: base 16; > 15 EINVAL before the state check; EPERM online; beyond the port count EINVAL. */
  private portnoWrite(group: Group, value: string): void {
    const path = `/sys/bus/ccwgroup/devices/${group.busId}/portno`;
    if (!/^[0-9a-f]+\n?$/i.test(value)) throw new HostError('write', path, 'EINVAL');
    const port = Number.parseInt(value, 16);
    if (port > 15) throw new HostError('write', path, 'EINVAL', 'above QETH_MAX_PORTNO');
    if (group.online) throw new HostError('write', path, 'EPERM', 'card is online');
    if (port > (this.options.portCount ?? 2) - 1) throw new HostError('write', path, 'EINVAL', 'no such port');
    group.portno = port;
  }

  /** §2.2: base 16, 0/1 only (checked first); EPERM online; EOPNOTSUPP if enforced; a switch drops the netdev. */
  private layer2Write(group: Group, value: string): void {
    const path = `/sys/bus/ccwgroup/devices/${group.busId}/layer2`;
    const match = /^([01])\n?$/.exec(value);
    if (!match) throw new HostError('write', path, 'EINVAL');
    if (group.online) throw new HostError('write', path, 'EPERM', 'card is online');
    const layer = Number(match[1]);
    const enforced = this.options.enforcedLayer?.[group.busId];
    if (enforced !== undefined && enforced !== layer) throw new HostError('write', path, 'EOPNOTSUPP');
    if (group.layer2 !== -1 && group.layer2 !== layer && group.netdev) this.unregisterNetdev(group);
    group.layer2 = layer;
  }

  private ungroup(group: Group): void {
    if (group.online) throw new HostError('write', `/sys/bus/ccwgroup/devices/${group.busId}/ungroup`, 'EINVAL', 'online');
    if (group.netdev) this.unregisterNetdev(group);
    for (const id of group.members) {
      const ccw = this.ccws.get(id)!;
      ccw.group = null;
      this.tree.remove(`/sys/devices/css0/${ccw.subchannel}/${ccw.busId}/group_device`);
    }
    this.groups.delete(group.busId);
    this.tree.remove(`/sys/devices/qeth/${group.busId}`);
    this.tree.remove(`/sys/bus/ccwgroup/devices/${group.busId}`);
    this.tree.remove(`/sys/bus/ccwgroup/drivers/qeth/${group.busId}`);
  }

  // ---- interfaces ---------------------------------------------------------------------------------------
  /** First online: register eth<N>/hsi<N> (§2.4), then udev renames it to enc<busid> asynchronously. */
  private registerNetdev(group: Group, cutype: string): void {
    const kind = cutype === HIPERSOCKETS ? 'hsi' : 'eth';
    const name = `${kind}${this.counters[kind]++}`;
    const netdev: Netdev = { name, group: group.busId, mac: `02:00:00:00:${group.busId.slice(4, 6)}:${group.busId.slice(6)}`, attached: true };
    this.netdevs.set(name, netdev);
    group.netdev = name;
    this.addNetdevNodes(netdev);
    const rename = this.options.rename ?? { mode: 'delay', ms: 20 };
    if (rename.mode === 'delay') setTimeout(() => this.renameNow(name), rename.ms);
    if (rename.mode === 'on-first-ip') this.pendingRenames.add(name);
  }

  private addNetdevNodes(netdev: Netdev): void {
    const dir = `/sys/devices/qeth/${netdev.group}/net/${netdev.name}`;
    this.tree.attr(`${dir}/address`, { read: () => `${netdev.mac}\n` });
    this.tree.attr(`${dir}/type`, '1\n');
    this.tree.link(`${dir}/device`, `../../../${netdev.group}`);
    this.tree.link(`/sys/class/net/${netdev.name}`, `../../devices/qeth/${netdev.group}/net/${netdev.name}`);
  }

  private renameNow(oldName: string): void {
    this.pendingRenames.delete(oldName);
    const netdev = this.netdevs.get(oldName);
    if (!netdev) return;
    const newName = predictableName(netdev.group);
    this.tree.remove(`/sys/devices/qeth/${netdev.group}/net/${oldName}`);
    this.tree.remove(`/sys/class/net/${oldName}`);
    this.netdevs.delete(oldName);
    netdev.name = newName;
    this.netdevs.set(newName, netdev);
    this.groups.get(netdev.group)!.netdev = newName;
    this.addNetdevNodes(netdev);
  }

  private unregisterNetdev(group: Group): void {
    const name = group.netdev!;
    this.tree.remove(`/sys/devices/qeth/${group.busId}/net/${name}`);
    this.tree.remove(`/sys/class/net/${name}`);
    this.netdevs.delete(name);
    this.pendingRenames.delete(name);
    group.netdev = null;
  }
}

const devno = (busId: BusId) => Number.parseInt(busId.slice(4), 16);
