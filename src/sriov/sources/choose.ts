// Which vendor-data source to use (DESIGN §6) and the per-boot cache, so the metadata service is asked once per boot.
//
// Cache rules (/run is a tmpfs, so "present" means "fetched earlier this boot"):
// - automatic choice (no source option): a usable cache wins; else config drive, metadata, config-drive fallback;
// - --metadata-url / --config-drive: the operator asked for that source, so it is read afresh; a good answer refreshes the cache;
// - --vendor-data: never reads or writes the cache (a hand-made document is not what the cloud said; `show` keeps that).
// Cached (cache.ts): only `mlnx_sriov`, when the schema accepts it under either layout and it is not `{}` (Nova's
// "vendor service failed": the next run should ask again). A cache that fails the schema is ignored with a warning.
import { InputUnavailableError, UsageError } from '../../errors.js';
import type { Host } from '../../host/host.js';
import type { Logger } from '../../log.js';
import { STATE_DIR } from '../../state.js';
import type { GuidLayout } from '../guid-layout.js';
import type { VendorDataParse } from '../schema.js';
import { parseVendorData } from '../schema.js';
import { VENDOR_DATA_CACHE, readCache, writeCache } from './cache.js';
import { findConfigDrive, readConfigDrive } from './config-drive.js';
import { readVendorDataFile } from './file.js';
import { DEFAULT_METADATA_URL } from './http.js';
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

type Fetched = { kind: 'document'; text: string; source: VendorDataSource; empty?: EmptyRefetched } | { kind: 'not-served'; source: VendorDataSource };

/** Gets and parses the vendor data per the options. Throws UsageError (exit 2) and InputUnavailableError (exit 3). */
export async function acquireVendorData(host: Host, log: Logger, request: VendorDataRequest): Promise<AcquiredVendorData> {
  const given = [request.metadataUrl !== undefined && '--metadata-url', request.vendorData !== undefined && '--vendor-data', request.configDrive === true && '--config-drive'].filter(Boolean);
  if (given.length > 1) throw new UsageError(`${given.join(' and ')} name different sources: give at most one`);
  if (request.vendorData !== undefined) {
    const text = await readVendorDataFile(host, request.vendorData);
    return { kind: 'parsed', source: { kind: 'file', where: request.vendorData === '-' ? 'stdin' : request.vendorData }, parse: parseVendorData(text, request.layout) };
  }
  const fetched = request.configDrive || request.metadataUrl !== undefined ? await fetchExplicit(host, log, request) : await fetchAutomatic(host, log, request);
  if (fetched.kind === 'not-served') return fetched;
  if (!request.dryRun && fetched.source.kind !== 'cache') await writeCache(host, log, fetched.text);
  return { kind: 'parsed', source: fetched.source, parse: parseVendorData(fetched.text, request.layout), ...(fetched.empty ? { empty: fetched.empty } : {}) };
}

/** `--config-drive` or `--metadata-url`: that source only. */
async function fetchExplicit(host: Host, log: Logger, request: VendorDataRequest): Promise<Fetched> {
  if (request.configDrive) {
    const device = await findConfigDrive(host, log);
    if (device === undefined) throw new InputUnavailableError('--config-drive: no filesystem labelled config-2 or CONFIG-2');
    return fromConfigDrive(host, log, device, request);
  }
  return fromMetadata(host, log, request.metadataUrl ?? DEFAULT_METADATA_URL, request.budgetMs, request.random);
}

/** DESIGN §6: cache, else the config drive when present (cloud-init's precedence, no network wait), else the metadata
 * service; a config drive that appears while the metadata service keeps failing is used after all. */
async function fetchAutomatic(host: Host, log: Logger, request: VendorDataRequest): Promise<Fetched> {
  const cached = await readCache(host, log, request.dryRun === true);
  if (cached !== undefined) return { kind: 'document', text: cached, source: { kind: 'cache', where: VENDOR_DATA_CACHE } };
  const start = host.clock.now();
  const device = await findConfigDrive(host, log);
  if (device !== undefined) {
    try {
      return await fromConfigDrive(host, log, device, request);
    } catch (error) {
      if (!(error instanceof InputUnavailableError)) throw error;
      log.warn('config-drive', `${error.message}; trying the metadata service`);
    }
  }
  const budgetMs = Math.max(0, request.budgetMs - (host.clock.now() - start));
  try {
    return await fromMetadata(host, log, DEFAULT_METADATA_URL, budgetMs, request.random);
  } catch (error) {
    if (!(error instanceof InputUnavailableError) || device !== undefined) throw error;
    const late = await findConfigDrive(host, log);
    if (late === undefined) throw error;
    log.warn('vendor-data', `${error.message}; a config drive appeared (${late}): using it`);
    return fromConfigDrive(host, log, late, request);
  }
}

/** The config drive's answer, labelled with its device. */
async function fromConfigDrive(host: Host, log: Logger, device: string, request: VendorDataRequest): Promise<Fetched> {
  const result = await readConfigDrive(host, log, device, request.dryRun ? DRY_RUN_MOUNT_PARENT : STATE_DIR);
  const source: VendorDataSource = { kind: 'config-drive', where: device };
  return result.kind === 'document' ? { kind: 'document', text: result.text, source } : { kind: 'not-served', source };
}

/** The metadata service's answer, labelled with its URL; `{}` re-fetched for a bounded part of the budget. */
async function fromMetadata(host: Host, log: Logger, url: string, budgetMs: number, random: (() => number) | undefined): Promise<Fetched> {
  const result = await fetchRefetchingEmpty(host, log, { url, budgetMs, ...(random ? { random } : {}) });
  const source: VendorDataSource = { kind: 'metadata', where: result.url };
  if (result.kind === 'not-served') return { kind: 'not-served', source };
  return { kind: 'document', text: result.text, source, ...(result.empty ? { empty: result.empty } : {}) };
}
