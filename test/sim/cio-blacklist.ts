// The cio_ignore blacklist (reference qeth §3.1): parsing of free/add/purge and the kernel's read format.
import { HostError } from '../../src/host/host.js';

/** Subchannel set 0 only: DPM hands out devices there. One bit per device number. */
export class CioBlacklist {
  private readonly bits = new Uint8Array(0x10000);

  constructor(items: readonly string[] = []) {
    for (const item of items) this.apply('add', item);
  }

  has(devno: number): boolean {
    return this.bits[devno] === 1;
  }

  /** `free <list>` / `add <list>`: valid items are applied even when another is invalid (then EINVAL). */
  write(text: string): { freed: number[] } {
    const line = text.trim();
    const [verb, ...rest] = line.split(/\s+/);
    if (verb === 'purge') return { freed: [] };
    if ((verb !== 'free' && verb !== 'add') || rest.length !== 1) throw new HostError('write', '/proc/cio_ignore', 'EINVAL', `bad command ${JSON.stringify(line)}`);
    const before = this.bits.slice();
    let invalid = false;
    for (const item of rest[0]!.split(',')) invalid = !this.apply(verb, item) || invalid;
    const freed = [...before.keys()].filter((devno) => before[devno] === 1 && this.bits[devno] === 0);
    if (invalid) throw Object.assign(new HostError('write', '/proc/cio_ignore', 'EINVAL', 'invalid item'), { freed });
    return { freed };
  }

  /** One line per range, `0.0.xxxx` or `0.0.xxxx-0.0.yyyy`, as cio_ignore_proc_seq_show prints them. */
  read(): string {
    const lines: string[] = [];
    for (let devno = 0; devno < 0x10000; devno++) {
      if (!this.bits[devno]) continue;
      let end = devno;
      while (end + 1 < 0x10000 && this.bits[end + 1]) end++;
      lines.push(end === devno ? id(devno) : `${id(devno)}-${id(end)}`);
      devno = end;
    }
    return lines.map((line) => `${line}\n`).join('');
  }

  private apply(verb: 'free' | 'add', item: string): boolean {
    const range: [number, number] | undefined = item === 'all' ? [0, 0xffff] : parseRange(item);
    if (!range) return false;
    this.bits.fill(verb === 'add' ? 1 : 0, range[0], range[1] + 1);
    return true;
  }
}

const id = (devno: number) => `0.0.${devno.toString(16).padStart(4, '0')}`;

/** `0.0.f500`, `f500` (old style), or `a-b` of those; undefined when malformed or reversed. */
function parseRange(item: string): [number, number] | undefined {
  const parts = item.split('-');
  if (parts.length > 2) return undefined;
  const a = parseId(parts[0]!);
  const b = parseId(parts[1] ?? parts[0]!);
  return a !== undefined && b !== undefined && a <= b ? [a, b] : undefined;
}

function parseId(text: string): number | undefined {
  const match = /^(?:0\.0\.([0-9a-f]{4})|([0-9a-f]{1,4}))$/i.exec(text);
  const hex = match?.[1] ?? match?.[2];
  return hex === undefined ? undefined : Number.parseInt(hex, 16);
}
