// Which metadata URLs the sriov unit's IPAddressAllow=link-local localhost drops, and the warning that says so.
import { describe, expect, it } from 'vitest';
import { METADATA_DROP_IN, ipAddressAllowWarning, underSystemd } from '../../../src/sriov/sources/ip-address-allow.js';

describe('ipAddressAllowWarning', () => {
  it.each([
    'http://169.254.169.254/openstack/latest/vendor_data2.json',
    'http://169.254.0.1:8080/x',
    'http://127.0.0.1:4567/x',
    'http://127.255.0.9/x',
    'http://localhost/x',
    'http://[::1]:81/x',
    'http://[fe80::a9fe:a9fe%25eth0]/openstack/latest/vendor_data2.json',
    'http://[FE80:0:0:0:1:2:3:4%25ib0]/x',
    'not a url',
  ])('%s: allowed (or not a URL): no warning', (url) => {
    expect(ipAddressAllowWarning(url)).toBeUndefined();
  });

  it.each([
    ['http://10.0.0.5/x', '10.0.0.5'],
    ['http://192.0.2.10:8775/openstack/latest/vendor_data2.json', '192.0.2.10'],
    ['http://169.255.169.254/x', '169.255.169.254'],
    ['http://[fe80:1::1%25eth0]/x', 'fe80:1::1'],
    ['http://[2001:db8::a9fe]/x', '2001:db8::a9fe'],
    ['http://[::ffff:169.254.169.254]/x', '::ffff:a9fe:a9fe'],
  ])('%s: outside link-local and loopback → names the address and the drop-in', (url, address) => {
    expect(ipAddressAllowWarning(url)).toBe(
      `metadata URL host ${address} is neither link-local nor loopback, and guest-boot-agent-sriov.service allows only those (IPAddressDeny=any, IPAddressAllow=link-local localhost): the kernel drops the packets and the fetch ends "timed out". Add IPAddressAllow=${address} under [Service] in a drop-in, ${METADATA_DROP_IN} (systemctl edit guest-boot-agent-sriov.service)`,
    );
  });

  it('a name: says IPAddressAllow= takes addresses', () => {
    expect(ipAddressAllowWarning('http://metadata.example/x')).toMatch(/^metadata URL host metadata\.example is a name \(IPAddressAllow= takes addresses: allow those it resolves to\), .* Add IPAddressAllow=<its addresses> under \[Service\]/);
  });

  it('under systemd: INVOCATION_ID or JOURNAL_STREAM', () => {
    expect([underSystemd({}), underSystemd({ INVOCATION_ID: 'x' }), underSystemd({ JOURNAL_STREAM: '8:1' }), underSystemd({ INVOCATION_ID: '' })]).toEqual([false, true, true, false]);
  });
});
