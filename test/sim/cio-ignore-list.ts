// The cio_ignore blacklist (drivers/s390/cio/blacklist.c, reference qeth §3.1): one bit per device number in each
// of the four subchannel sets, the item parser shared by the kernel parameter and /proc/cio_ignore, and the
// /proc/cio_ignore read format.

const MAX_SSID = 3;
const MAX_DEVNO = 0xffff;

/** Devices the kernel knows by another name in the item list (`condev`, `ipldev`); absent → the item is skipped. */
export interface SpecialDevices {
  condev?: { ssid: number; devno: number };
  ipldev?: { ssid: number; devno: number };
}

export class CioIgnoreList {
  private readonly bits = Array.from({ length: MAX_SSID + 1 }, () => new Uint8Array(MAX_DEVNO + 1));

  constructor(private readonly special: SpecialDevices = {}) {}

  has(ssid: number, devno: number): boolean {
    return this.bits[ssid]?.[devno] === 1;
  }

  /** blacklist_parse_parameters: each comma-separated item is applied on its own (`!` inverts that item only);
   * returns false when any item was invalid, after the valid ones took effect (the write then fails EINVAL). */
  apply(list: string | undefined, action: 'add' | 'free'): boolean {
    if (list === undefined) return true; // "free" with nothing after it: strsep gave NULL, nothing to do
    let ok = true;
    for (const raw of list.split(',')) {
      const item = raw.startsWith('!') ? raw.slice(1) : raw;
      const act = raw.startsWith('!') ? (action === 'add' ? 'free' : 'add') : action;
      const range = this.parseItem(item);
      if (range === null) continue; // condev/ipldev the machine does not have
      if (range === undefined || !this.mark(act, range)) ok = false;
    }
    return ok;
  }

  /** cio_ignore_proc_seq_show: `0.<ssid>.<devno>` or `a-b` per line, ranges never crossing a subchannel set. */
  format(): string {
    let text = '';
    this.bits.forEach((set, ssid) => {
      for (let devno = 0; devno <= MAX_DEVNO; devno++) {
        if (!set[devno]) continue;
        let end = devno;
        while (end < MAX_DEVNO && set[end + 1]) end++;
        text += end === devno ? `${id(ssid, devno)}\n` : `${id(ssid, devno)}-${id(ssid, end)}\n`;
        devno = end;
      }
    });
    return text;
  }

  private parseItem(item: string): Range | null | undefined {
    if (item === 'all') return { from: [0, 0], to: [MAX_SSID, MAX_DEVNO] };
    if (item === 'condev' || item === 'ipldev') {
      const device = this.special[item];
      return device ? { from: [device.ssid, device.devno], to: [device.ssid, device.devno] } : null;
    }
    const dash = item.indexOf('-');
    const from = parseBusid(dash < 0 ? item : item.slice(0, dash));
    const to = dash < 0 ? from : parseBusid(item.slice(dash + 1));
    return from && to ? { from, to } : undefined;
  }

  /** blacklist_range: a reversed range is refused; otherwise every device from..to, across sets, is (un)marked. */
  private mark(action: 'add' | 'free', { from, to }: Range): boolean {
    if (from[0] > to[0] || (from[0] === to[0] && from[1] > to[1])) return false;
    for (let [ssid, devno] = from; ssid < to[0] || (ssid === to[0] && devno <= to[1]); ) {
      this.bits[ssid]![devno] = action === 'add' ? 1 : 0;
      if (++devno > MAX_DEVNO) [ssid, devno] = [ssid + 1, 0];
    }
    return true;
  }
}

interface Range {
  from: [number, number];
  to: [number, number];
}

const id = (ssid: number, devno: number) => `0.${ssid.toString(16)}.${devno.toString(16).padStart(4, '0')}`;

/** parse_busid: old style bare hex devno (simple_strtoul, ssid 0), or `<cssid 1-2 hex = 0>.<ssid 1 hex ≤ 3>.<4 hex>`. */
function parseBusid(text: string): [number, number] | undefined {
  const old = /^(?:0x)?([0-9a-f]+)$/i.exec(text);
  if (old) {
    const devno = Number.parseInt(old[1]!, 16);
    return devno <= MAX_DEVNO ? [0, devno] : undefined;
  }
  // __MAX_CSSID is 0: a non-zero cssid is invalid, however it is written.
  const match = /^([0-9a-f]{1,2})\.([0-9a-f])\.([0-9a-f]{4})$/i.exec(text);
  if (!match || Number.parseInt(match[1]!, 16) !== 0) return undefined;
  const ssid = Number.parseInt(match[2]!, 16);
  return ssid <= MAX_SSID ? [ssid, Number.parseInt(match[3]!, 16)] : undefined;
}
