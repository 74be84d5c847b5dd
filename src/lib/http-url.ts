// http(s) URLs for the metadata client, parsed by WHATWG `URL` — except the one thing it refuses: an IPv6 zone id,
// which the IPv6 metadata address needs (`http://[fe80::a9fe:a9fe%25eth0]/…`, reference metadata §1.6). The zone is
// taken off before parsing and put back on the host afterwards, so node:http.request gets a scoped `host`.
// Pure: used by host/http.ts and the metadata source.

/** An http(s) URL split the way node:http.request wants it. */
export interface HttpUrl {
  scheme: 'http' | 'https';
  /** Host without brackets; an IPv6 zone is decoded (`fe80::a9fe:a9fe%eth0`), as node:http's `host` option takes it. */
  host: string;
  /** Explicit, or the scheme's default. */
  port: number;
  /** Path and query, starting with `/`, dot segments resolved; the fragment is dropped (never sent). */
  path: string;
  ipv6: boolean;
}

export type HttpUrlParse = { ok: true; url: HttpUrl } | { ok: false; reason: string };

const DEFAULT_PORT = { http: 80, https: 443 } as const;
/** `scheme://authority` and the rest, to find the parts WHATWG would silently fix or refuse without saying which. */
const SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^]*)$/;
/** A bracketed IPv6 literal with a zone: RFC 6874 `%25<zone>`, a bare `%<zone>` tolerated. */
const ZONED_IPV6 = /^\[([^\]%]*)%(?:25)?([^\]]*)\]/;

/** Parses `text` as an absolute http(s) URL without user info. */
export function parseHttpUrl(text: string): HttpUrlParse {
  const shape = SHAPE.exec(text);
  if (shape === null) return { ok: false, reason: text.includes('@') ? 'user info in URLs is not supported' : 'not an absolute http(s) URL' };
  const [, rawScheme = '', authority = '', rest = ''] = shape;
  const scheme = rawScheme.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return { ok: false, reason: `scheme ${scheme}: only http and https` };
  if (authority.includes('@')) return { ok: false, reason: 'user info in URLs is not supported' };
  // WHATWG drops tabs and newlines and percent-encodes spaces; a URL carrying them was not meant as written.
  if (/[\s\x00-\x1f\x7f]/.test(rest)) return { ok: false, reason: 'whitespace or control characters in the path' };
  const zoned = ZONED_IPV6.exec(authority);
  let zone: string | undefined;
  if (zoned !== null) {
    const decoded = decodeZone(zoned[2] ?? '');
    if (!decoded.ok) return decoded;
    zone = decoded.zone;
  }
  const unzoned = zoned === null ? authority : `[${zoned[1]}]${authority.slice(zoned[0].length)}`;
  let url: URL;
  try {
    url = new URL(`${scheme}://${unzoned}${rest}`);
  } catch {
    return { ok: false, reason: whyRefused(unzoned) };
  }
  const port = url.port === '' ? DEFAULT_PORT[scheme] : Number(url.port);
  if (port < 1) return { ok: false, reason: `port ${url.port} out of range` };
  const ipv6 = url.hostname.startsWith('[');
  const address = ipv6 ? url.hostname.slice(1, -1) : url.hostname;
  // WHATWG allows `$`, `&`, `'`… in a domain; DNS names and addresses never have them.
  if (!ipv6 && !/^[a-z0-9._-]+$/.test(address)) return { ok: false, reason: `host ${JSON.stringify(address)} is not a valid name or address` };
  const host = zone === undefined ? address : `${address}%${zone}`;
  return { ok: true, url: { scheme, host, port, path: `${url.pathname}${url.search}`, ipv6 } };
}

/** The zone after `%25` (or `%`): percent-decoded, and an interface name or index. */
function decodeZone(encoded: string): { ok: true; zone: string } | { ok: false; reason: string } {
  let zone: string;
  try {
    zone = decodeURIComponent(encoded);
  } catch {
    return { ok: false, reason: `IPv6 zone ${JSON.stringify(encoded)} is not validly percent-encoded` };
  }
  if (!/^[A-Za-z0-9._@-]+$/.test(zone)) return { ok: false, reason: `IPv6 zone ${JSON.stringify(zone)} is not an interface name or index` };
  return { ok: true, zone };
}

/** Why WHATWG refused an authority, in the words of the old parser's messages. */
function whyRefused(authority: string): string {
  if (authority.startsWith('[')) return `${authority.replace(/\].*$/, ']')} is not an IPv6 address`;
  const port = /:(\d*)$/.exec(authority);
  if (port !== null && port[1] !== '') return `port ${port[1]} out of range`;
  return `host ${JSON.stringify(authority.replace(/:\d*$/, ''))} is not a valid name or address`;
}

/** `scheme://host:port`, port always spelled (zone re-encoded): the identity redirects are compared on. */
export function formatOrigin(url: HttpUrl): string {
  return `${url.scheme}://${spellHost(url)}:${url.port}`;
}

/** The whole URL as `parseHttpUrl` accepts it, the scheme's default port left out. */
export function formatHttpUrl(url: HttpUrl): string {
  const port = url.port === DEFAULT_PORT[url.scheme] ? '' : `:${url.port}`;
  return `${url.scheme}://${spellHost(url)}${port}${url.path}`;
}

/** The host as a URL spells it: IPv6 in brackets, its zone as `%25`. */
function spellHost(url: HttpUrl): string {
  return url.ipv6 ? `[${url.host.replace('%', '%25')}]` : url.host;
}

/** The HTTP Host header: no zone id (it means nothing to the server), port only when not the default. */
export function hostHeader(url: HttpUrl): string {
  const host = url.ipv6 ? `[${url.host.replace(/%.*$/, '')}]` : url.host;
  return url.port === DEFAULT_PORT[url.scheme] ? host : `${host}:${url.port}`;
}

/** Whether two URLs share scheme, host and port (the only redirects the metadata client follows). */
export function sameOrigin(a: HttpUrl, b: HttpUrl): boolean {
  return formatOrigin(a) === formatOrigin(b);
}

/** A redirect's Location resolved against the URL that answered it: absolute, `//host/…`, `/path` or relative
 * (WHATWG resolution, so `..` and `.` segments go). A Location with its own host brings its own zone, if any; a
 * path-only one keeps the base's host and zone. */
export function resolveLocation(base: HttpUrl, location: string): HttpUrlParse {
  const trimmed = location.trim();
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(trimmed)) return parseHttpUrl(trimmed);
  if (trimmed.startsWith('//')) return parseHttpUrl(`${base.scheme}:${trimmed}`);
  if (/[\s\x00-\x1f\x7f]/.test(trimmed)) return { ok: false, reason: 'whitespace or control characters in the path' };
  let resolved: URL;
  try {
    // Only the path is resolved here: any host stands in for the base's, whose zone WHATWG would refuse.
    resolved = new URL(trimmed, `http://base.invalid${base.path}`);
  } catch {
    return { ok: false, reason: 'not a valid relative reference' };
  }
  return parseHttpUrl(`${formatOrigin(base)}${resolved.pathname}${resolved.search}`);
}
