// Finds the Mellanox InfiniBand PFs and reads their SR-IOV state (read-only: HostReader).
import { basename } from 'node:path/posix';
import type { HostReader } from '../host/host.js';
import type { Guid } from '../values/guid.js';
import { parseGuid } from '../values/guid.js';
import { INFINIBAND_TYPE, MELLANOX_VENDOR, NET_CLASS, ofedVfAttr, pciAttr, pciDevice, virtfn } from './paths.js';
import type { PfState, SriovSnapshot, VfState } from './snapshot.js';

/** Every PF: an IPoIB netdev whose device is a Mellanox PCI function without physfn, deduplicated by address. */
export async function observeSriov(host: HostReader): Promise<SriovSnapshot> {
  const names = await host.sysfs.list(NET_CLASS).catch(() => []);
  const candidates = await Promise.all(names.map((name) => readPfNetdev(host, name)));
  const byAddress = new Map<string, { netdevs: string[]; portGuid: Guid }>();
  for (const found of candidates) {
    if (!found) continue;
    const known = byAddress.get(found.address);
    // Child interfaces (ib0.8001) share the parent's device and address: one PF, several netdevs.
    if (known) known.netdevs.push(found.name);
    else byAddress.set(found.address, { netdevs: [found.name], portGuid: found.portGuid });
  }
  const pfs = await Promise.all(
    [...byAddress].map(([address, { netdevs, portGuid }]) => readPf(host, address, netdevs.sort(parentFirst), portGuid)),
  );
  return { pfs: pfs.sort((a, b) => (a.address < b.address ? -1 : 1)) };
}

const parentFirst = (a: string, b: string) => Number(a.includes('.')) - Number(b.includes('.')) || (a < b ? -1 : 1);

async function readPfNetdev(host: HostReader, name: string): Promise<{ name: string; address: string; portGuid: Guid } | undefined> {
  const dir = `${NET_CLASS}/${name}`;
  const read = (file: string) => host.sysfs.read(`${dir}/${file}`).catch(() => undefined);
  if ((await read('type')) !== INFINIBAND_TYPE || (await read('device/vendor')) !== MELLANOX_VENDOR) return undefined;
  if (await host.sysfs.exists(`${dir}/device/physfn`)) return undefined; // a VF's netdev
  const address = basename(await host.sysfs.readlink(`${dir}/device`).catch(() => ''));
  const portGuid = portGuidOf(await read('address'));
  return address && portGuid ? { name, address, portGuid } : undefined;
}

/** The port GUID in a 20-byte IPoIB hardware address: its last 8 bytes (flags and QPN vary per boot). */
export function portGuidOf(hardwareAddress: string | undefined): Guid | undefined {
  if (!hardwareAddress || hardwareAddress.length !== 59) return undefined;
  return parseGuid(hardwareAddress.slice(36));
}

/** One PF again, after phase 1: the same identity, its SR-IOV state and VFs as they are now, for planning the binds.
 * OFED's per-VF GUID files are not read again (phase 1 just wrote them; the binds go by what each VF sees). */
export async function observePf(host: HostReader, known: Pick<PfState, 'address' | 'netdevs' | 'portGuid'>): Promise<PfState> {
  return readPf(host, known.address, known.netdevs, known.portGuid, { ofedFiles: false });
}

async function readPf(host: HostReader, address: string, netdevs: string[], portGuid: Guid, { ofedFiles } = { ofedFiles: true }): Promise<PfState> {
  const attr = (name: string) => host.sysfs.read(pciAttr(address, name));
  const sriov = await Promise.all([attr('sriov_totalvfs'), attr('sriov_numvfs'), attr('sriov_drivers_autoprobe')]).then(
    ([total, num, autoprobe]) => ({ totalVfs: Number(total), numVfs: Number(num), autoprobe }),
    () => null,
  );
  const ofed = await host.sysfs.exists(pciAttr(address, 'sriov'));
  const count = sriov?.numVfs ?? 0;
  const vfs = await Promise.all(Array.from({ length: count }, (_, k) => readVf(host, address, k, ofed && ofedFiles)));
  return { address, netdevs, portGuid, sriov, ofed, vfs };
}

async function readVf(host: HostReader, pf: string, index: number, ofed: boolean): Promise<VfState> {
  const address = await host.sysfs.readlink(virtfn(pf, index)).then(basename, () => null);
  const none = { index, address, physfn: null, driver: null, override: null, seenNodeGuid: null, seenPortGuid: null };
  const ofedState = ofed ? await readOfed(host, pf, index) : null;
  if (!address) return { ...none, ofed: ofedState };
  const dir = pciDevice(address);
  const [physfn, driver, override, ibdevs, netdevs] = await Promise.all([
    host.sysfs.readlink(`${dir}/physfn`).then(basename, () => null),
    host.sysfs.readlink(`${dir}/driver`).then(basename, () => null),
    host.sysfs.read(`${dir}/driver_override`).then((value) => (value === '(null)' || value === '' ? null : value), () => null),
    host.sysfs.list(`${dir}/infiniband`).catch(() => []),
    host.sysfs.list(`${dir}/net`).catch(() => []),
  ]);
  const nodeGuid = ibdevs[0] ? await host.sysfs.read(`${dir}/infiniband/${ibdevs[0]}/node_guid`).catch(() => '') : '';
  const hwAddress = netdevs[0] ? await host.sysfs.read(`${dir}/net/${netdevs[0]}/address`).catch(() => undefined) : undefined;
  return { index, address, physfn, driver, override, seenNodeGuid: parseGuid(nodeGuid.replaceAll(':', '')) ?? null, seenPortGuid: portGuidOf(hwAddress) ?? null, ofed: ofedState };
}

async function readOfed(host: HostReader, pf: string, k: number): Promise<VfState['ofed']> {
  const read = (name: 'node' | 'port' | 'policy') => host.sysfs.read(ofedVfAttr(pf, k, name)).catch(() => null);
  const [node, port, policy] = await Promise.all([read('node'), read('port'), read('policy')]);
  return { node: node === null ? null : (parseGuid(node) ?? null), port: port === null ? null : (parseGuid(port) ?? null), policy };
}
