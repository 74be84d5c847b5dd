// http(s) URLs on WHATWG URL with the IPv6 zone taken off and put back; what we refuse (other schemes, user info).
import { describe, expect, it } from 'vitest';
import { formatHttpUrl, hostHeader, parseHttpUrl, resolveLocation, sameOrigin } from '../../../src/lib/http-url.js';

const parsed = (text: string) => {
  const result = parseHttpUrl(text);
  if (!result.ok) throw new Error(result.reason);
  return result.url;
};

describe('parseHttpUrl', () => {
  it.each([
    ['http://169.254.169.254/openstack/latest/vendor_data2.json', { scheme: 'http', host: '169.254.169.254', port: 80, path: '/openstack/latest/vendor_data2.json', ipv6: false }],
    ['http://[fe80::a9fe:a9fe%25eth0]/openstack/latest/vendor_data2.json', { host: 'fe80::a9fe:a9fe%eth0', port: 80, ipv6: true }],
    ['http://[FE80::A9FE:A9FE%25ens2]:8080/x', { host: 'fe80::a9fe:a9fe%ens2', port: 8080 }],
    ['http://[fe80::1%eth0]/', { host: 'fe80::1%eth0' }],
    ['http://[::1]:81', { host: '::1', port: 81, path: '/', ipv6: true }],
    ['HTTPS://Metadata.Example:443/a?b=1#frag', { scheme: 'https', host: 'metadata.example', port: 443, path: '/a?b=1' }],
    ['http://169.254.169.254/openstack/latest/../2018-08-27/./vendor_data2.json', { path: '/openstack/2018-08-27/vendor_data2.json' }],
    ['http://[fe80::a9fe:a9fe%25eth0]:8080/a/%2E%2E/b', { host: 'fe80::a9fe:a9fe%eth0', port: 8080, path: '/b' }],
  ])('%s', (text, expected) => {
    expect(parsed(text)).toMatchObject(expected);
  });

  it.each([
    ['ftp://h/x', 'scheme ftp: only http and https'],
    ['file:///etc/passwd', 'scheme file: only http and https'],
    ['http://user:pw@h/x', 'user info in URLs is not supported'],
    ['http://h:0/', 'port 0 out of range'],
    ['http://h:70000/', 'port 70000 out of range'],
    ['http://[zz::1]/', '[zz::1] is not an IPv6 address'],
    ['http://[fe80::1%25eth0;reboot]/', 'IPv6 zone "eth0;reboot" is not an interface name or index'],
    ['http://h/a b', 'whitespace or control characters in the path'],
    ['169.254.169.254/x', 'not an absolute http(s) URL'],
    ['http://h$x/', 'host "h$x" is not a valid name or address'],
  ])('refuses %s', (text, reason) => {
    expect(parseHttpUrl(text)).toEqual({ ok: false, reason });
  });

  it('spells URLs back with the zone re-encoded, and sends a Host header without it', () => {
    const url = parsed('http://[fe80::a9fe:a9fe%25eth0]/openstack');
    expect(formatHttpUrl(url)).toBe('http://[fe80::a9fe:a9fe%25eth0]/openstack');
    expect(hostHeader(url)).toBe('[fe80::a9fe:a9fe]');
    expect(hostHeader(parsed('http://127.0.0.1:8080/'))).toBe('127.0.0.1:8080');
  });
});

describe('resolveLocation and sameOrigin', () => {
  const base = parsed('http://169.254.169.254/openstack/latest/vendor_data2.json');
  it.each([
    ['/openstack/2018-08-27/vendor_data2.json', 'http://169.254.169.254/openstack/2018-08-27/vendor_data2.json', true],
    ['other.json', 'http://169.254.169.254/openstack/latest/other.json', true],
    ['http://169.254.169.254:80/x', 'http://169.254.169.254/x', true],
    ['//evil.example/x', 'http://evil.example/x', false],
    ['https://169.254.169.254/x', 'https://169.254.169.254/x', false],
    ['http://169.254.169.254:8080/x', 'http://169.254.169.254:8080/x', false],
    ['../2018-08-27/vendor_data2.json', 'http://169.254.169.254/openstack/2018-08-27/vendor_data2.json', true],
    ['./v.json?x=1', 'http://169.254.169.254/openstack/latest/v.json?x=1', true],
    ['/a/../b/./c', 'http://169.254.169.254/b/c', true],
    ['../../../../x', 'http://169.254.169.254/x', true],
  ])('%s → %s (same origin: %s)', (location, resolved, same) => {
    const next = parsed(formatHttpUrl((resolveLocation(base, location) as { url: ReturnType<typeof parsed> }).url));
    expect(formatHttpUrl(next)).toBe(resolved);
    expect(sameOrigin(base, next)).toBe(same);
  });
});

describe('resolveLocation keeps an IPv6 zone', () => {
  const base = parsed('http://[fe80::a9fe:a9fe%25eth0]/openstack/latest/vendor_data2.json');
  it.each([
    ['../2018-08-27/vendor_data2.json', 'http://[fe80::a9fe:a9fe%25eth0]/openstack/2018-08-27/vendor_data2.json', true],
    ['/x', 'http://[fe80::a9fe:a9fe%25eth0]/x', true],
    ['http://[fe80::a9fe:a9fe%25eth1]/x', 'http://[fe80::a9fe:a9fe%25eth1]/x', false],
  ])('%s → %s (same origin: %s)', (location, resolved, same) => {
    const next = resolveLocation(base, location);
    if (!next.ok) throw new Error(next.reason);
    expect(formatHttpUrl(next.url)).toBe(resolved);
    expect(sameOrigin(base, next.url)).toBe(same);
  });
});
