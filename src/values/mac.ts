// Ethernet MAC addresses as the cmdline carries them and as `ip` prints them.

declare const macBrand: unique symbol;
/** Canonical MAC `xx:xx:xx:xx:xx:xx`, lower-case. */
export type Mac = string & { readonly [macBrand]: true };

/** Accepts 12 hex digits, bare or colon-separated, any case. */
export function parseMac(text: string): Mac | undefined {
  const bare = /^[0-9a-fA-F]{12}$/.test(text)
    ? text
    : /^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(text)
      ? text.replaceAll(':', '')
      : undefined;
  if (bare === undefined) return undefined;
  return bare.toLowerCase().match(/../g)!.join(':') as Mac;
}

/**
 * Why this MAC may not be given to an OSA interface, or undefined when it may.
 * The kernel refuses multicast; a universally administered address could clash
 * with a real adapter's, so only unicast + locally administered is accepted
 * (second hex digit in {2,6,a,e}).
 */
export function macRuleViolation(mac: Mac): string | undefined {
  const firstOctet = Number.parseInt(mac.slice(0, 2), 16);
  if (firstOctet & 0x01) return 'is a multicast address (first octet odd)';
  if (!(firstOctet & 0x02)) return 'is not locally administered (second hex digit must be 2, 6, a or e)';
  return undefined;
}
