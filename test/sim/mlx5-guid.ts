// GUIDs as the mlx5/IB stack prints and parses them (reference sriov §2.3, §3, §4). Internally a GUID is 16
// lower-case hex digits; the all-zero GUID is what a VF nobody configured has.
import { Errno } from './errno.js';
import type { VfPolicy } from './pci-spec.js';

export const ZERO_GUID = '0000000000000000';

/** The firmware state of one VF vport that the guest can set; the PF driver keeps it across numvfs cycles (§2.5). */
export interface Vport {
  node: string;
  port: string;
  policy: VfPolicy;
}

/** 16 hex digits with or without colons (fixtures); throws a fixture error otherwise. */
export function fixtureGuid(text: string): string {
  const bare = text.replace(/:/g, '').toLowerCase();
  if (!/^[0-9a-f]{16}$/.test(bare)) throw new Error(`scenario: not a GUID: ${text}`);
  return bare;
}

/** `xx:xx:xx:xx:xx:xx:xx:xx`: OFED's node/port read format, and iproute2's (any even number of hex digits). */
export function colonGuid(hex: string): string {
  return hex.match(/../g)!.join(':');
}

/** `/sys/class/infiniband/<dev>/node_guid`: "%04x:%04x:%04x:%04x". */
export function ibNodeGuid(guid: string): string {
  return guid.match(/..../g)!.join(':');
}

/** GID index 0 as `ports/1/gids/0` prints it (%pI6): the default subnet prefix, then the port GUID. */
export function gid0(guid: string): string {
  return `fe80:0000:0000:0000:${ibNodeGuid(guid)}`;
}

/** The 20-byte IPoIB hardware address: flags, a 3-byte QPN, then GID 0 (bytes 12–19 are the port GUID). */
export function ipoibAddress(qpn: number, portGuid: string): string {
  const qpnHex = qpn.toString(16).padStart(6, '0');
  return colonGuid(`00${qpnHex}fe80000000000000${portGuid}`);
}

/** OFED's node/port store: sscanf("%02x:…:%02x") — 8 fields of 1–2 hex digits, trailing bytes ignored; fewer
 * fields (the bare 16-digit form among them) are EINVAL. */
export function scanOfedGuid(text: string): string {
  const match = /^\s*([0-9a-f]{1,2})(?::\s*([0-9a-f]{1,2})){7}/i.exec(text);
  if (!match) throw new Errno('EINVAL', `${JSON.stringify(text)} does not match %02x:%02x:…:%02x`);
  return match[0].split(':').map((field) => field.trim().toLowerCase().padStart(2, '0')).join('');
}

/** iproute2's get_guid: exactly 23 characters, two hex digits per byte, a colon at every third position. */
export function parseIprouteGuid(text: string): string | undefined {
  return /^([0-9a-f]{2}:){7}[0-9a-f]{2}$/i.test(text) ? text.replace(/:/g, '').toLowerCase() : undefined;
}

/** OFED's policy store: sysfs_streq against exactly Down, Up, Follow (one trailing newline tolerated). */
export function parsePolicy(text: string): VfPolicy {
  const word = text.endsWith('\n') ? text.slice(0, -1) : text;
  if (word === 'Down' || word === 'Up' || word === 'Follow') return word;
  throw new Errno('EINVAL', `${JSON.stringify(text)} is not Down, Up or Follow`);
}
