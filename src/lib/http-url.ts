// http(s) URLs parsed by hand, because WHATWG `URL` rejects IPv6 zone ids and the IPv6 metadata address needs one
// (`http://[fe80::a9fe:a9fe%25eth0]/…`, reference metadata §1.6). Pure: used by host/http.ts and the metadata source.

/** An http(s) URL split the way node:http.request wants it. */
export interface HttpUrl {
  scheme: 'http' | 'https';
  /** Host without brackets; an IPv6 zone is decoded (`fe80::a9fe:a9fe%eth0`), as node:http's `host` option takes it. */
  host: string;
  /** Explicit, or the scheme's default. */
  port: number;
  /** Path and query, starting with `/`; the fragment is dropped (never sent). */
  path: string;
  ipv6: boolean;
}

export type HttpUrlParse = { ok: true; url: HttpUrl } | { ok: false; reason: string };

const URL_SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(\[[^\]]*\]|[^/?#[\]@:]*)(?::(\d*))?([/?#][^]*)?$/;
const DEFAULT_PORT = { http: 80, https: 443 } as const;

/** Parses `text` as an absolute http(s) URL without user info. */
export function parseHttpUrl(text: string): HttpUrlParse {
  const match = URL_SHAPE.exec(text);
  if (match === null) {
    return { ok: false, reason: text.includes('@') ? 'user info in URLs is not supported' : 'not an absolute http(s) URL' };
  }
  const [, rawScheme = '', rawHost = '', rawPort, rest = ''] = match;
  const scheme = rawScheme.toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return { ok: false, reason: `scheme ${scheme}: only http and https` };
  const host = parseHost(rawHost);
  if (typeof host === 'string') return { ok: false, reason: host };
  const port = rawPort === undefined || rawPort === '' ? DEFAULT_PORT[scheme] : Number(rawPort);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return { ok: false, reason: `port ${rawPort} out of range` };
  const path = rest.replace(/#[^]*$/, '');
  // node:http refuses these too, but later and with a less useful message.
  if (/[\s\x00-\x1f\x7f]/.test(path)) return { ok: false, reason: 'whitespace or control characters in the path' };
  return { ok: true, url: { scheme, host: host.name, port, path: path.startsWith('/') ? path : `/${path}`, ipv6: host.ipv6 } };
}

/** `[v6]` with an optional RFC 6874 zone (`%25eth0`; a bare `%eth0` is tolerated), or a DNS name / IPv4 address. */
function parseHost(raw: string): { name: string; ipv6: boolean } | string {
  if (!raw.startsWith('[')) {
    if (!/^[A-Za-z0-9._-]+$/.test(raw)) return `host ${JSON.stringify(raw)} is not a valid name or address`;
    return { name: raw.toLowerCase(), ipv6: false };
  }
  const inner = raw.slice(1, -1);
  const cut = inner.indexOf('%');
  const address = cut < 0 ? inner : inner.slice(0, cut);
  if (!/^[0-9A-Fa-f:.]+$/.test(address) || !address.includes(':')) return `[${inner}] is not an IPv6 address`;
  if (cut < 0) return { name: address.toLowerCase(), ipv6: true };
  const encoded = inner.slice(cut + 1).replace(/^25/, '');
  let zone: string;
  try {
    zone = decodeURIComponent(encoded);
  } catch {
    return `IPv6 zone ${JSON.stringify(encoded)} is not validly percent-encoded`;
  }
  if (!/^[A-Za-z0-9._@-]+$/.test(zone)) return `IPv6 zone ${JSON.stringify(zone)} is not an interface name or index`;
  return { name: `${address.toLowerCase()}%${zone}`, ipv6: true };
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

/** A redirect's Location resolved against the URL that answered it: absolute, `//host/…`, `/path` or relative. */
export function resolveLocation(base: HttpUrl, location: string): HttpUrlParse {
  const trimmed = location.trim();
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(trimmed)) return parseHttpUrl(trimmed);
  if (trimmed.startsWith('//')) return parseHttpUrl(`${base.scheme}:${trimmed}`);
  const origin = formatOrigin(base);
  if (trimmed.startsWith('/')) return parseHttpUrl(`${origin}${trimmed}`);
  const directory = base.path.replace(/[?#][^]*$/, '').replace(/[^/]*$/, '');
  return parseHttpUrl(`${origin}${directory}${trimmed}`);
}
