import { describe, expect, it } from 'vitest';
import { isIgnored, parseCioIgnore } from '../../../src/qeth/cio-ignore.js';
import type { BusId } from '../../../src/values/bus-id.js';

describe('parseCioIgnore', () => {
  it('reads the kernel format: single ids and ranges, one per line', () => {
    const ranges = parseCioIgnore('0.0.0000-0.0.0008\n0.0.000a-0.0.ffff\n0.1.0000-0.1.ffff\n0.0.f500\n');
    expect(ranges).toEqual([
      { ssid: 0, from: 0, to: 8 },
      { ssid: 0, from: 0xa, to: 0xffff },
      { ssid: 1, from: 0, to: 0xffff },
      { ssid: 0, from: 0xf500, to: 0xf500 },
    ]);
  });

  it.each([
    ['inside a range', '0.0.0004', true],
    ['the gap between ranges', '0.0.0009', false],
    ['another subchannel set', '0.2.0004', false],
    ['a single id', '0.0.f500', true],
  ])('isIgnored: %s', (_name, id, expected) => {
    const ranges = parseCioIgnore('0.0.0000-0.0.0008\n0.0.f500\n');
    expect(isIgnored(ranges, id as BusId)).toBe(expected);
  });

  it('skips lines it cannot read and handles an empty file', () => {
    expect(parseCioIgnore('')).toEqual([]);
    expect(parseCioIgnore('garbage\n0.0.zzzz\n')).toEqual([]);
  });
});
