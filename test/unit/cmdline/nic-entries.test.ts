import { describe, expect, it } from 'vitest';
import { parseNicEntries } from '../../../src/cmdline/nic-entries.js';

const entry = (devno: string, port: 0 | 1, mac: string | null = null) => ({ devno, busId: `0.0.${devno}`, port, mac });

describe('parseNicEntries', () => {
  it.each([
    ['a DPM cmdline among other parameters', 'root=/dev/dasda1 0001,1,0a0000000011;0004,0; console=ttysclp0', [entry('0001', 1, '0a:00:00:00:00:11'), entry('0004', 0)]],
    ['upper-case hex, normalised', '00AF,0,0A00000000FF;', [entry('00af', 0, '0a:00:00:00:00:ff')]],
    ['one whole entry without the final ";" (with a warning)', '0001,1,0a0000000011', [entry('0001', 1, '0a:00:00:00:00:11')]],
    ['the producer form, one token per NIC', 'root=/dev/dasda1 0001,0,0a0000000011; 0004,0,0a0000000012;', [entry('0001', 0, '0a:00:00:00:00:11'), entry('0004', 0, '0a:00:00:00:00:12')]],
    ['several NIC tokens', '0001,0; x 0004,1;', [entry('0001', 0), entry('0004', 1)]],
    ['devno fffd, the highest allowed', 'fffd,0;', [entry('fffd', 0)]],
    ['exact duplicates collapse', '0001,1,0a0000000011; 0001,1,0A0000000011;', [entry('0001', 1, '0a:00:00:00:00:11')]],
    ['a quoted NIC list', '"0001,1;0004,0;"', [entry('0001', 1), entry('0004', 0)]],
  ])('accepts %s', (_name, cmdline, expected) => {
    const parsed = parseNicEntries(cmdline);
    expect(parsed.entries).toEqual(expected);
    expect(parsed.rejected).toEqual([]);
  });

  it.each([
    ['port 2', '0001,2;', '0001,2', /port must be 0 or 1, got "2"/],
    ['a MAC with non-hex characters', '0001,1,0a00000000zz;', '0001,1,0a00000000zz', /contains non-hex characters/],
    ['an 11-digit MAC', '0001,1,0a000000001;', '0001,1,0a000000001', /MAC must be 12 hex digits, got 11/],
    ['a 13-digit MAC', '0001,1,0a00000000111;', '0001,1,0a00000000111', /MAC must be 12 hex digits, got 13/],
    ['devno fffe', 'fffe,0;', 'fffe,0', /devno fffe leaves no room.*max fffd/],
    ['devno zzzz inside a NIC list', '0001,0;zzzz,1;', 'zzzz,1', /devno must be 4 hex digits/],
    ['a missing port', '0001,0;0004;', '0004', /expected <devno>,<port>\[,<mac>\], got 1 field/],
    ['too many fields', '0001,0,0a0000000011,x;', '0001,0,0a0000000011,x', /got 4 fields/],
  ])('rejects %s with a reason naming it', (_name, cmdline, token, reason) => {
    const parsed = parseNicEntries(cmdline);
    expect(parsed.rejected).toHaveLength(1);
    expect(parsed.rejected[0]!.token).toBe(token);
    expect(parsed.rejected[0]!.reason).toMatch(reason);
  });

  it('keeps the valid entries of a token that also holds invalid ones', () => {
    const parsed = parseNicEntries('0001,1;0002,2;0004,0;');
    expect(parsed.entries).toEqual([entry('0001', 1), entry('0004', 0)]);
    expect(parsed.rejected.map((r) => r.token)).toEqual(['0002,2']);
  });

  it.each([
    ['multicast', '010000000011', /multicast/],
    ['universally administered', '000000000011', /not locally administered/],
    ['all zero', '000000000000', /not locally administered/],
  ])('configures the device without a %s MAC and rejects the MAC', (_name, mac, reason) => {
    const parsed = parseNicEntries(`0001,1,${mac};`);
    expect(parsed.entries).toEqual([entry('0001', 1)]);
    expect(parsed.rejected).toHaveLength(1);
    expect(parsed.rejected[0]!.reason).toMatch(reason);
    expect(parsed.rejected[0]!.reason).toMatch(/configured without it/);
  });

  it('rejects every entry of a devno with conflicting settings, never guessing', () => {
    const parsed = parseNicEntries('0001,1; 0004,0; 0001,0;');
    expect(parsed.entries).toEqual([entry('0004', 0)]);
    expect(parsed.rejected.map((r) => r.token)).toEqual(['0001,1', '0001,0']);
    expect(parsed.rejected[0]!.reason).toMatch(/conflicting settings/);
  });

  it.each([
    ['an rd.zfcp parameter', 'rd.zfcp=0.0.0003,0x5005076300c213e9,0x5022000000000000'],
    ['hex-looking text inside another value', 'foo=bar0003,1;'],
    ['a devno that is not hex, as a token', 'zzzz,1;'],
    ['a five-digit prefix', '00001,1;'],
    ['an empty command line', ''],
    ['the legacy cio_ignore list (a key=value parameter)', 'cio_ignore=fd00,fd01,!condev'],
    ['cio_ignore with ranges and a ";"-looking value', 'cio_ignore=all,!0.0.fd00-0.0.fd02 cio_ignore=0001,0;'],
    ['the value of any parameter, even a valid-looking list', 'nics=0001,1;'],
    ['a standalone token without ";" that is not one whole entry', 'fd00,fd01,!condev'],
    ['a standalone token without ";" with a bad port', '0001,2'],
  ])('never matches %s', (_name, cmdline) => {
    expect(parseNicEntries(cmdline)).toEqual({ entries: [], rejected: [], warnings: [] });
  });

  it('accepts a list without the final ";" with a warning', () => {
    const parsed = parseNicEntries('0001,1;0004,0');
    expect(parsed.entries).toEqual([entry('0001', 1), entry('0004', 0)]);
    expect(parsed.warnings).toEqual([{ token: '0004,0', reason: 'missing the final ";" that nova-dpm writes; accepted' }]);
  });

  it('bounds the work at 256 entries', () => {
    const list = Array.from({ length: 300 }, (_, i) => `${(i * 3).toString(16).padStart(4, '0')},0;`).join('');
    const parsed = parseNicEntries(list);
    expect(parsed.entries).toHaveLength(256);
    expect(parsed.rejected).toHaveLength(44);
    expect(parsed.rejected[0]).toEqual({ token: '0300,0', reason: 'more than 256 NIC entries; ignored' });
  });

  it('refuses an absurdly long input whole instead of scanning it', () => {
    const parsed = parseNicEntries('0001,0;'.repeat(20_000));
    expect(parsed.entries).toEqual([]);
    expect(parsed.rejected[0]!.reason).toMatch(/longer than 65536 characters/);
  });
});
