// Which vendor-data source to use (DESIGN §6) and the per-boot cache, so the metadata service is asked once per boot.
//
// Cache rules (/run is a tmpfs, so "present" means "fetched earlier this boot"):
// - automatic choice (no source option): a usable cache wins; else config drive, metadata, config-drive fallback;
// - --metadata-url / --config-drive: the operator asked for that source, so it is read afresh; a good answer refreshes the cache;
// - --vendor-data: never reads or writes the cache (a hand-made document is not what the cloud said; `show` keeps that).
// Cached (cache.ts): only `mlnx_sriov`, when present, accepted by the schema under either layout and not `{}` (maybe
// Nova's "vendor service failed": the next run should ask again). A cache that fails the schema is ignored with a
// warning. A dry run reads the cache but never writes it.
import { InputUnavailableError, UsageError } from '../../errors.js';
import type { Host } from '../../host/host.js';
import type { Logger } from '../../log.js';
import { STATE_DIR } from '../../state.js';
import type { GuidLayout } from '../guid-layout.js';
import type { VendorDataParse } from '../schema.js';
import { parseVendorData } from '../schema.js';
import { VENDOR_DATA_CACHE, readCache, writeCache } from './cache.js';
import type { ConfigDrive } from './config-drive.js';
import { CONFIG_DRIVE_VENDOR_DATA, findConfigDrive, readConfigDrive } from './config-drive.js';
import { readVendorDataFile } from './file.js';
import { DEFAULT_METADATA_URL } from './http.js';
import { ipAddressAllowWarning } from './ip-address-allow.js';
import { fetchRefetchingEmpty } from './refetch-empty.js';

/** A dry run leaves STATE_DIR byte-for-byte as it was (not even a directory's mtime changes): its config-drive
 * mount point is a private temp dir directly in /run (a tmpfs on every booted system), removed again. */
export const DRY_RUN_MOUNT_PARENT = '/run';

export interface VendorDataRequest {
  /** Only when given on the command line; the automatic choice uses DEFAULT_METADATA_URL. */
  metadataUrl?: string;
  vendorData?: string;
  configDrive?: boolean;
  budgetMs: number;
  layout: GuidLayout;
  /** `--dry-run`: read (the cache too), but write nothing under STATE_DIR; a config drive is mounted in a temp dir
   * elsewhere (DRY_RUN_MOUNT_PARENT) and removed again. */
  dryRun?: boolean;
  /** Run by systemd: warn at once when the metadata URL is outside what the unit's IPAddressAllow= lets through. */
  underSystemd?: boolean;
  /** Injected for tests. */
  random?: () => number;
}

export type VendorDataSource = { kind: 'cache' | 'file' | 'config-drive' | 'metadata'; where: string };

/** A document and its verdict (or errors), or "this cloud serves no vendor_data2.json" (HTTP 404, or none on the drive). */
export type AcquiredVendorData =
  | { kind: 'parsed'; source: VendorDataSource; parse: VendorDataParse; empty?: EmptyRefetched }
  | { kind: 'not-served'; source: VendorDataSource };

/** A metadata `{}` that stayed `{}` through re-fetching (refetch-empty.ts): how many fetches over how long. */
export type EmptyRefetched = { fetches: number; ms: number };

/** `detail`: what the success line says about how it was got (status, size, attempt; device, label, filesystem). */
type Fetched =
  | { kind: 'document'; text: string; source: VendorDataSource; detail: string; empty?: EmptyRefetched }
  | { kind: 'not-served'; source: VendorDataSource };

const SOURCE_NAMES: Record<VendorDataSource['kind'], string> = {
  cache: 'the cache of this boot',
  file: 'the file',
  'config-drive': 'the config drive',
  metadata: 'the metadata service',
};

/** Gets and parses the vendor data per the options. Throws UsageError (exit 2) and InputUnavailableError (exit 3). */
export async function acquireVendorData(host: Host, log: Logger, request: VendorDataRequest): Promise<AcquiredVendorData> {
  const given = [request.metadataUrl !== undefined && '--metadata-url', request.vendorData !== undefined && '--vendor-data', request.configDrive === true && '--config-drive'].filter(Boolean);
  if (given.length > 1) throw new UsageError(`${given.join(' and ')} name different sources: give at most one`);
  if (request.vendorData !== undefined) {
    const text = await readVendorDataFile(host, request.vendorData);
    const source: VendorDataSource = { kind: 'file', where: request.vendorData === '-' ? 'stdin' : request.vendorData };
    log.info('vendor-data', `from ${source.where === 'stdin' ? 'stdin' : `the file ${source.where}`}: ${Buffer.byteLength(text)} bytes`);
    return { kind: 'parsed', source, parse: parseVendorData(text, request.layout) };
  }
  const fetched = request.configDrive || request.metadataUrl !== undefined ? await fetchExplicit(host, log, request) : await fetchAutomatic(host, log, request);
  if (fetched.kind === 'not-served') return fetched;
  log.info('vendor-data', `from ${SOURCE_NAMES[fetched.source.kind]} ${fetched.source.where}: ${fetched.detail}`);
  if (!request.dryRun && fetched.source.kind !== 'cache') await writeCache(host, log, fetched.text);
  return { kind: 'parsed', source: fetched.source, parse: parseVendorData(fetched.text, request.layout), ...(fetched.empty ? { empty: fetched.empty } : {}) };
}

/** `--config-drive` or `--metadata-url`: that source only. */
async function fetchExplicit(host: Host, log: Logger, request: VendorDataRequest): Promise<Fetched> {
  if (request.configDrive) {
    const drive = await findConfigDrive(host, log);
    if (drive === undefined) throw new InputUnavailableError('--config-drive: no filesystem labelled config-2 or CONFIG-2');
    return fromConfigDrive(host, log, drive, request);
  }
  return fromMetadata(host, log, request.metadataUrl ?? DEFAULT_METADATA_URL, request.budgetMs, request);
}

/** DESIGN §6: cache, else the config drive when present (cloud-init's precedence, no network wait), else the metadata
 * service; a config drive that appears while the metadata service keeps failing is used after all. */
async function fetchAutomatic(host: Host, log: Logger, request: VendorDataRequest): Promise<Fetched> {
  const cached = await readCache(host, log, request.dryRun === true);
  if (cached !== undefined) {
    return { kind: 'document', text: cached, source: { kind: 'cache', where: VENDOR_DATA_CACHE }, detail: `${Buffer.byteLength(cached)} bytes (mlnx_sriov as fetched earlier)` };
  }
  const start = host.clock.now();
  const drive = await findConfigDrive(host, log);
  if (drive !== undefined) {
    try {
      return await fromConfigDrive(host, log, drive, request);
    } catch (error) {
      if (!(error instanceof InputUnavailableError)) throw error;
      log.warn('config-drive', `${error.message}; trying the metadata service`);
    }
  }
  const budgetMs = Math.max(0, request.budgetMs - (host.clock.now() - start));
  try {
    return await fromMetadata(host, log, DEFAULT_METADATA_URL, budgetMs, request);
  } catch (error) {
    if (!(error instanceof InputUnavailableError) || drive !== undefined) throw error;
    const late = await findConfigDrive(host, log);
    if (late === undefined) throw error;
    log.warn('vendor-data', `${error.message}; a config drive appeared (${late.device}): using it`);
    return fromConfigDrive(host, log, late, request);
  }
}

/** The config drive's answer, labelled with its device. */
async function fromConfigDrive(host: Host, log: Logger, drive: ConfigDrive, request: VendorDataRequest): Promise<Fetched> {
  const result = await readConfigDrive(host, log, drive.device, request.dryRun ? DRY_RUN_MOUNT_PARENT : STATE_DIR);
  const source: VendorDataSource = { kind: 'config-drive', where: drive.device };
  if (result.kind === 'not-served') return { kind: 'not-served', source };
  const filesystem = result.fstype === undefined ? '' : `, ${result.fstype}`;
  const detail = `label ${drive.label}${filesystem}, ${CONFIG_DRIVE_VENDOR_DATA}, ${Buffer.byteLength(result.text)} bytes`;
  return { kind: 'document', text: result.text, source, detail };
}

/** The metadata service's answer, labelled with its URL; `{}` re-fetched for a bounded part of the budget. */
async function fromMetadata(host: Host, log: Logger, url: string, budgetMs: number, request: VendorDataRequest): Promise<Fetched> {
  const blocked = request.underSystemd ? ipAddressAllowWarning(url) : undefined;
  if (blocked !== undefined) log.warn('metadata', blocked);
  const result = await fetchRefetchingEmpty(host, log, { url, budgetMs, ...(request.random ? { random: request.random } : {}) });
  const source: VendorDataSource = { kind: 'metadata', where: result.url };
  if (result.kind === 'not-served') return { kind: 'not-served', source };
  const detail = `HTTP ${result.status}, ${result.bytes} bytes, attempt ${result.attempts}${result.fetches > 1 ? ` of fetch ${result.fetches} ({} before)` : ''}`;
  return { kind: 'document', text: result.text, source, detail, ...(result.empty ? { empty: result.empty } : {}) };
}
