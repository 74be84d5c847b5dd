// The sriov unit lets the agent reach only link-local and loopback addresses (IPAddressDeny=any,
// IPAddressAllow=link-local localhost: the metadata service is 169.254.169.254 or fe80::a9fe:a9fe). Packets to any
// other address are dropped by the kernel, which looks like a metadata service that never answers: say so at the
// start instead of after the whole budget. Pure: the caller knows whether it runs under systemd.
import { parseHttpUrl } from '../../lib/http-url.js';

export const SRIOV_UNIT = 'guest-boot-agent-sriov.service';
export const METADATA_DROP_IN = `/etc/systemd/system/${SRIOV_UNIT}.d/metadata-url.conf`;

/** Under a systemd service (INVOCATION_ID), or logging to the journal (JOURNAL_STREAM). */
export const underSystemd = (env: Readonly<Record<string, string | undefined>>): boolean => Boolean(env.INVOCATION_ID || env.JOURNAL_STREAM);

/** The warning for a metadata URL whose host the unit's IPAddressAllow= does not cover; undefined when it does (or
 * the URL does not parse: the fetch reports that). */
export function ipAddressAllowWarning(url: string): string | undefined {
  const parsed = parseHttpUrl(url);
  if (!parsed.ok) return undefined;
  const { host, ipv6 } = parsed.url;
  const address = ipv6 ? host.replace(/%.*$/, '') : host;
  const kind = ipv6 ? classifyIpv6(address) : /^\d{1,3}(\.\d{1,3}){3}$/.test(address) ? classifyIpv4(address) : address === 'localhost' ? 'allowed' : 'name';
  if (kind === 'allowed') return undefined;
  const what = kind === 'name' ? `host ${address} is a name (IPAddressAllow= takes addresses: allow those it resolves to)` : `host ${address} is neither link-local nor loopback`;
  const allow = kind === 'name' ? '<its addresses>' : address;
  return (
    `metadata URL ${what}, and ${SRIOV_UNIT} allows only those (IPAddressDeny=any, IPAddressAllow=link-local localhost): ` +
    `the kernel drops the packets and the fetch ends "timed out". Add IPAddressAllow=${allow} under [Service] in a drop-in, ` +
    `${METADATA_DROP_IN} (systemctl edit ${SRIOV_UNIT})`
  );
}

/** systemd's `localhost` is 127.0.0.0/8, its `link-local` 169.254.0.0/16. */
function classifyIpv4(address: string): 'allowed' | 'outside' {
  const [first, second] = address.split('.').map(Number);
  return first === 127 || (first === 169 && second === 254) ? 'allowed' : 'outside';
}

/** systemd's `localhost` is ::1, its `link-local` fe80::/64. */
function classifyIpv6(address: string): 'allowed' | 'outside' {
  const groups = expandIpv6(address);
  if (groups === undefined) return 'outside';
  const loopback = groups.slice(0, 7).every((group) => group === 0) && groups[7] === 1;
  const linkLocal = groups[0] === 0xfe80 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0;
  return loopback || linkLocal ? 'allowed' : 'outside';
}

/** Eight 16-bit groups of an IPv6 address (`::` expanded, a dotted IPv4 tail converted); undefined when malformed. */
function expandIpv6(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const ipv4 = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (ipv4) {
    const [a, b, c, d] = ipv4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, ipv4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined) => (part ? part.split(':') : []).map((group) => (/^[0-9a-f]{1,4}$/.test(group) ? parseInt(group, 16) : Number.NaN));
  const head = parse(halves[0]);
  const tail = parse(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<number>(halves.length === 1 ? 0 : missing).fill(0), ...tail];
  return groups.some(Number.isNaN) ? undefined : groups;
}
