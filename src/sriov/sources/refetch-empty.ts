// `mlnx_sriov: {}` from the metadata service is ambiguous (DESIGN §6, reference metadata §1.4/§1.8): the PCSS
// vendor-data service answers `{}` when SR-IOV is disabled for the instance, and Nova serves `{}` when its call to
// that service failed (down, timed out, an error) — a transient state. Every GET makes Nova ask the service again,
// so `{}` is re-fetched with backoff for a bounded part of the budget before it is taken as "nothing to do".
import type { Host } from '../../host/host.js';
import { backoffCeilingMs } from '../../lib/retry.js';
import type { Logger } from '../../log.js';
import { parseVendorData } from '../schema.js';
import type { MetadataFetchOptions, MetadataResult } from './http.js';
import { fetchVendorData } from './http.js';

/** At most this long spent re-fetching `{}`… */
export const EMPTY_REFETCH_CAP_MS = 30_000;
/** …and at most this share of the budget, so a short --timeout still leaves most of it to the first answer. */
export const EMPTY_REFETCH_SHARE = 0.25;
/** Backoff between re-fetches: full jitter, ceiling 1 s doubling to 5 s (as the fetch's own retries). */
const BACKOFF = { baseMs: 1000, capMs: 5000 };

/** How long `{}` is re-fetched within a budget of `budgetMs`: min(30 s, a quarter of the budget). */
export const emptyRefetchBoundMs = (budgetMs: number): number => Math.min(EMPTY_REFETCH_CAP_MS, budgetMs * EMPTY_REFETCH_SHARE);

/** Whether a document is `{"mlnx_sriov": {}}` (other keys aside). */
export function isEmptyMarker(text: string): boolean {
  const parse = parseVendorData(text, 'pf-major');
  return parse.ok && parse.verdict.kind === 'nothing' && parse.verdict.reason === 'empty';
}

/** A metadata result, the number of documents fetched, and for a `{}` that stayed `{}`: how long that took. */
export type RefetchedResult = MetadataResult & { fetches: number; empty?: { fetches: number; ms: number } };

/** fetchVendorData, asking again while the answer is `{}` and the bound (emptyRefetchBoundMs) lasts; the last
 * answer is returned either way. Throws what fetchVendorData throws. */
export async function fetchRefetchingEmpty(host: Pick<Host, 'http' | 'clock'>, log: Logger, options: MetadataFetchOptions): Promise<RefetchedResult> {
  const random = options.random ?? Math.random;
  const start = host.clock.now();
  const deadline = start + options.budgetMs;
  // The bound counts from the first `{}`, not from the start: a slow first answer must not use it up, so `{}` is
  // always asked about at least once more while the budget lasts.
  let until: number | undefined;
  for (let fetches = 1; ; fetches++) {
    const result = await fetchVendorData(host, log, { ...options, budgetMs: Math.max(0, deadline - host.clock.now()) });
    if (result.kind !== 'document' || !isEmptyMarker(result.text)) return { ...result, fetches };
    until ??= Math.min(deadline, host.clock.now() + emptyRefetchBoundMs(options.budgetMs));
    const room = until - host.clock.now();
    if (room <= 0) return { ...result, fetches, empty: { fetches, ms: host.clock.now() - start } };
    // Full jitter; a delay past the bound is cut to it: one last fetch there, not ever-shorter ones before it.
    const delayMs = Math.min(random() * backoffCeilingMs(BACKOFF, fetches - 1), room);
    const line = `${result.url}: mlnx_sriov is {} (SR-IOV disabled, or the vendor-data service failed); asking again in ${(delayMs / 1000).toFixed(1)} s (for up to ${seconds(emptyRefetchBoundMs(options.budgetMs))} s)`;
    // The first tells the journal why the run takes longer; the rest only matter when debugging.
    if (fetches === 1) log.info('metadata', line);
    else log.debug('metadata', line);
    await host.clock.sleep(delayMs);
  }
}

const seconds = (ms: number) => String(Math.round(ms / 100) / 10);
