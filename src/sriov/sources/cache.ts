// The per-boot vendor-data cache (DESIGN §6): only the `mlnx_sriov` part of a fetched document, mode 0600. Other
// keys of vendor_data2.json belong to other vendor services and may hold their secrets: they are never written
// here, and a cache written by an older agent (the whole document) is reduced on read and never shown whole.
import type { Host } from '../../host/host.js';
import type { Logger } from '../../log.js';
import { STATE_DIR } from '../../state.js';
import { GUID_LAYOUTS } from '../guid-layout.js';
import { parseVendorData } from '../schema.js';

export const VENDOR_DATA_CACHE = `${STATE_DIR}/vendor_data2.json`;

/** A document reduced to `mlnx_sriov` (its value, and the text to cache); `otherKeys` names — only names — the keys
 * besides it (what an older agent's cache held). */
export type CacheContent =
  | { kind: 'usable'; text: string; mlnxSriov: unknown; otherKeys: string[] }
  | { kind: 'unusable'; reason: string; mlnxSriov?: unknown; otherKeys: string[] };

/** The text to cache for a fetched document, or undefined when it is not worth keeping: not accepted under any
 * layout, no `mlnx_sriov`, or `mlnx_sriov: {}` (Nova's "vendor service failed": the next run must ask again). */
export function cacheTextFor(document: string): string | undefined {
  const reduced = reduce(document);
  return reduced.kind === 'usable' ? reduced.text : undefined;
}

/** Reduces a document (fetched, or an old cache) to `{"mlnx_sriov": …}`. Pure. */
export function reduce(document: string): CacheContent {
  let value: unknown;
  try {
    value = JSON.parse(document.replace(/^\uFEFF/, ''));
  } catch {
    return { kind: 'unusable', reason: 'not JSON', otherKeys: [] };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'unusable', reason: 'not a JSON object', otherKeys: [] };
  const record = value as Record<string, unknown>;
  const otherKeys = Object.keys(record).filter((key) => key !== 'mlnx_sriov');
  if (!Object.hasOwn(record, 'mlnx_sriov')) return { kind: 'unusable', reason: 'no mlnx_sriov key', otherKeys };
  const text = `${JSON.stringify({ mlnx_sriov: record.mlnx_sriov })}\n`;
  const accepted = GUID_LAYOUTS.some((layout) => {
    const parse = parseVendorData(text, layout);
    return parse.ok && !(parse.verdict.kind === 'nothing' && parse.verdict.reason === 'empty');
  });
  const mlnxSriov = record.mlnx_sriov;
  return accepted ? { kind: 'usable', text, mlnxSriov, otherKeys } : { kind: 'unusable', reason: 'mlnx_sriov is {} or not valid', mlnxSriov, otherKeys };
}

/** Caches the `mlnx_sriov` part of `document` when it is worth keeping; a failed write is a warning, never fatal. */
export async function writeCache(host: Pick<Host, 'files'>, log: Logger, document: string): Promise<void> {
  const text = cacheTextFor(document);
  if (text === undefined) return;
  await host.files.writeAtomic(VENDOR_DATA_CACHE, text, 0o600).catch((error: unknown) => {
    log.warn('vendor-data', `cannot cache mlnx_sriov in ${VENDOR_DATA_CACHE}: ${(error as Error).message}`);
  });
}

/** The cached `{"mlnx_sriov": …}` text, or undefined (none, or unusable: warned). A cache from an older agent that
 * holds other vendors' keys is rewritten reduced, unless `dryRun`. */
export async function readCache(host: Pick<Host, 'files'>, log: Logger, dryRun: boolean): Promise<string | undefined> {
  const text = await host.files.read(VENDOR_DATA_CACHE).catch(() => undefined);
  if (text === undefined) return undefined;
  const content = reduce(text);
  if (content.kind === 'unusable') {
    log.warn('vendor-data', `ignoring ${VENDOR_DATA_CACHE}: ${content.reason}`);
    return undefined;
  }
  if (content.otherKeys.length > 0 && !dryRun) await writeCache(host, log, content.text);
  return content.text;
}
