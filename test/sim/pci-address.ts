// PCI addresses (`dddd:bb:dd.f`) and the SR-IOV routing-id arithmetic that places VF n (reference sriov §1.4).

interface Bdf {
  domain: number;
  /** Routing id: bus << 8 | device << 3 | function. */
  rid: number;
}

const BDF = /^([0-9a-f]{4}):([0-9a-f]{2}):([01][0-9a-f])\.([0-7])$/;

/** Parses a canonical lower-case PCI address; throws on anything else (fixtures only). */
function parseBdf(text: string): Bdf {
  const match = BDF.exec(text);
  if (!match) throw new Error(`scenario: not a PCI address (dddd:bb:dd.f, lower case): ${text}`);
  const [, domain, bus, device, fn] = match.map((part) => Number.parseInt(part!, 16));
  if (device! > 0x1f) throw new Error(`scenario: PCI device number above 1f: ${text}`);
  return { domain: domain!, rid: (bus! << 8) | (device! << 3) | fn! };
}

function formatBdf({ domain, rid }: Bdf): string {
  const hex = (value: number, width: number) => value.toString(16).padStart(width, '0');
  return `${hex(domain, 4)}:${hex(rid >> 8, 2)}:${hex((rid >> 3) & 0x1f, 2)}.${rid & 7}`;
}

/** pci_iov_virtfn_bus/devfn: VF n of `pf` is at routing id pf + offset + stride·n, carrying into the bus number. */
export function vfAddress(pf: string, offset: number, stride: number, n: number): string {
  const base = parseBdf(pf);
  const rid = base.rid + offset + stride * n;
  if (rid > 0xffff) throw new Error(`scenario: VF ${n} of ${pf} would be beyond bus ff`);
  return formatBdf({ domain: base.domain, rid });
}

/** The directory a function's device lives in: PFs and their VFs share a parent (`virtfn->dev.parent = dev->dev.parent`). */
export function pciDeviceDir(address: string): string {
  return `/sys/devices/pci${address.slice(0, 4)}:00/${address}`;
}

/** Throws a fixture error unless `address` is canonical. */
export function checkAddress(address: string): string {
  parseBdf(address);
  return address;
}
