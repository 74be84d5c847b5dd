import { describe, expect, it } from 'vitest';
import { parseSetmacTarget } from '../../../src/qeth/setmac-target.js';

describe('parseSetmacTarget', () => {
  it.each([
    ['udev devpath', '/devices/qeth/0.0.0001/net/enc1', { kind: 'devpath', busId: '0.0.0001', ifname: 'enc1' }],
    ['sysfs devpath', '/sys/devices/qeth/0.0.f500/net/encf500', { kind: 'devpath', busId: '0.0.f500', ifname: 'encf500' }],
    ['upper-case bus id in a devpath', '/devices/qeth/0.0.F500/net/encf500', { kind: 'devpath', busId: '0.0.f500', ifname: 'encf500' }],
    ['bus id', '0.0.0001', { kind: 'bus-id', busId: '0.0.0001' }],
    ['interface name', 'enc1', { kind: 'interface', ifname: 'enc1' }],
    ['kernel name', 'eth0', { kind: 'interface', ifname: 'eth0' }],
    ['devpath of a PCI NIC (not qeth, but not malformed)', '/devices/pci0000:00/0000:00:03.0/net/eth0', { kind: 'other-devpath', device: '0000:00:03.0', ifname: 'eth0' }],
    ['devpath of a virtual interface', '/devices/virtual/net/veth1', { kind: 'other-devpath', device: 'virtual', ifname: 'veth1' }],
  ])('accepts a %s', (_name, argument, expected) => {
    expect(parseSetmacTarget(argument)).toEqual(expected);
  });

  it.each([
    ['path traversal', '../../etc/passwd'],
    ['absolute path outside /devices', '/etc/passwd'],
    ['traversal inside a devpath', '/devices/qeth/0.0.0001/net/..'],
    ['a devpath ending in a hostile name', '/devices/qeth/0.0.0001/net/a;rm -rf'],
    ['an interface name of 16 characters', 'abcdefghijklmnop'],
    ['shell metacharacters', 'enc1;reboot'],
    ['empty', ''],
    ['dot', '.'],
    ['a non-qeth devpath with a .. segment', '/devices/pci0000:00/../net/eth0'],
    ['a non-qeth devpath with a hostile name', '/devices/virtual/net/a;b'],
  ])('refuses %s', (_name, argument) => {
    expect(parseSetmacTarget(argument)).toBeUndefined();
  });
});
