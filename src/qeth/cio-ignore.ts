// Parses /proc/cio_ignore (reference §3.1): one blacklisted id or range per line.
import type { BusId } from '../values/bus-id.js';

/** An inclusive range of device numbers in one subchannel set. */
export interface CioRange {
  ssid: number;
  from: number;
  to: number;
}

const LINE = /^0\.([0-3])\.([0-9a-f]{4})(?:-0\.([0-3])\.([0-9a-f]{4}))?$/;

/** The ranges in the file's text; lines that do not parse are skipped (the kernel only prints valid ones). */
export function parseCioIgnore(text: string): CioRange[] {
  const ranges: CioRange[] = [];
  for (const line of text.split('\n')) {
    const match = LINE.exec(line.trim().toLowerCase());
    if (!match) continue;
    const [, ssid, from, toSsid, to] = match;
    // A range spanning subchannel sets is split by the kernel on output; keep the first set's part.
    const last = to !== undefined && toSsid === ssid ? to : to === undefined ? from : 'ffff';
    ranges.push({ ssid: Number(ssid), from: Number.parseInt(from!, 16), to: Number.parseInt(last!, 16) });
  }
  return ranges;
}

/** Whether `busId` is on the blacklist. */
export function isIgnored(ranges: readonly CioRange[], busId: BusId): boolean {
  const ssid = Number(busId[2]);
  const devno = Number.parseInt(busId.slice(4), 16);
  return ranges.some((range) => range.ssid === ssid && devno >= range.from && devno <= range.to);
}
