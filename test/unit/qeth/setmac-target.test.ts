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
  ])('refuses %s', (_name, argument) => {
    expect(parseSetmacTarget(argument)).toBeUndefined();
  });
});
