// The metadata service as a vendor-data source: transport (host.http), retry policy (lib/retry) and the decisions
// of reference metadata §1.8/§2.3 — what to retry, what ends the run, which redirects to follow.
import { InputUnavailableError, UsageError } from '../../errors.js';
import type { Host, HttpResponse } from '../../host/host.js';
import type { HttpUrl } from '../../lib/http-url.js';
import { formatHttpUrl, parseHttpUrl, resolveLocation, sameOrigin } from '../../lib/http-url.js';
import type { AttemptOutcome, RetryPolicy } from '../../lib/retry.js';
import { runWithRetry } from '../../lib/retry.js';
import type { Logger } from '../../log.js';
import { RedirectRefusedError, describeFailure, retryAfterMs, shouldRetryFetch } from './http-policy.js';

export const DEFAULT_METADATA_URL = 'http://169.254.169.254/openstack/latest/vendor_data2.json';
/** Nova does not cap a dynamic target's reply (reference §1.8), so we do. */
export const MAX_VENDOR_DATA_BYTES = 1024 * 1024;
/** Per attempt, as cloud-init's `timeout` (reference §2). */
export const ATTEMPT_TIMEOUT_MS = 10_000;
const MAX_REDIRECTS = 3;

export interface MetadataFetchOptions {
  url: string;
  /** Total budget (`--timeout`), from the first attempt. */
  budgetMs: number;
  attemptTimeoutMs?: number;
  /** Injected for tests; Math.random otherwise. */
  random?: () => number;
}

/** A document, or 404: Nova older than Newton, no DynamicJSON provider, or a wrong path — nothing to retry. */
export type MetadataResult =
  | { kind: 'document'; text: string; url: string; status: number; bytes: number; attempts: number }
  | { kind: 'not-served'; url: string; status: number };

/** Fetches vendor_data2.json within the budget. Throws UsageError for a bad URL (exit 2), InputUnavailableError
 * when no answer could be had (exit 3): budget spent, another 4xx, a body over 1 MiB, a cross-host redirect. */
export async function fetchVendorData(
  host: Pick<Host, 'http' | 'clock'>,
  log: Logger,
  options: MetadataFetchOptions,
): Promise<MetadataResult> {
  const parsed = parseHttpUrl(options.url);
  if (!parsed.ok) throw new UsageError(`--metadata-url ${JSON.stringify(options.url)}: ${parsed.reason}`);
  const url = formatHttpUrl(parsed.url);
  // Backoff 1 s growing to 5 s (reference §2.3); no attempt shorter than 1 s, so the last error stays informative.
  const policy: RetryPolicy = { baseMs: 1000, capMs: 5000, minAttemptMs: 1000, attemptTimeoutMs: options.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS, budgetMs: options.budgetMs };
  const result = await runWithRetry(
    (signal) => getFollowingRedirects(host.http, parsed.url, signal),
    policy,
    {
      shouldRetry: shouldRetryFetch,
      delayHintMs: retryAfterMs,
      onRetry: (outcome, attempt, delayMs) => {
        const line = `${url}: ${describeFailure(outcome)}; retrying in ${(delayMs / 1000).toFixed(1)} s (budget ${seconds(options.budgetMs)} s)`;
        // The first failure tells the journal we are waiting; the rest only matter when debugging.
        if (attempt === 0) log.info('metadata', line);
        else log.debug('metadata', line);
      },
    },
    { clock: host.clock, random: options.random ?? Math.random },
  );
  return settle(url, result.outcome, result.exhausted, result.attempts, options.budgetMs);
}

/** The final outcome as a result or an exit-3 error naming the URL and the last failure. */
function settle(url: string, outcome: AttemptOutcome<HttpResponse>, exhausted: boolean, attempts: number, budgetMs: number): MetadataResult {
  if (exhausted) {
    throw new InputUnavailableError(
      `vendor data unavailable: no document from ${url} within the ${seconds(budgetMs)} s budget (${attempts} attempt${attempts === 1 ? '' : 's'}); last error: ${describeFailure(outcome)}`,
    );
  }
  if (!outcome.ok) throw new InputUnavailableError(`vendor data unavailable from ${url}: ${describeFailure(outcome)} (not retried)`, { cause: outcome.error });
  const response = outcome.value;
  if (response.status === 404) return { kind: 'not-served', url, status: 404 };
  if (response.status !== 200) throw new InputUnavailableError(`vendor data unavailable from ${url}: ${describeFailure(outcome)} (not retried)`);
  return { kind: 'document', text: new TextDecoder().decode(response.body), url, status: response.status, bytes: response.body.length, attempts };
}

/** `1.2`, `120`: budgets as a person wrote them. */
const seconds = (ms: number) => String(Math.round(ms / 100) / 10);

/** One attempt: GET, following at most MAX_REDIRECTS redirects, and only to the same scheme, host and port. */
async function getFollowingRedirects(
  http: Host['http'],
  start: HttpUrl,
  signal: AbortSignal,
): Promise<HttpResponse> {
  let current = start;
  for (let hop = 0; ; hop++) {
    const response = await http.get(formatHttpUrl(current), { signal, maxBytes: MAX_VENDOR_DATA_BYTES });
    const location = response.headers.location;
    if (![301, 302, 303, 307, 308].includes(response.status) || location === undefined) return response;
    const next = resolveLocation(current, location);
    if (!next.ok) throw new RedirectRefusedError(`redirect to ${JSON.stringify(location)} refused: ${next.reason}`);
    if (!sameOrigin(current, next.url)) {
      throw new RedirectRefusedError(`redirect to ${formatHttpUrl(next.url)} refused: only redirects to the same scheme, host and port are followed`);
    }
    if (hop >= MAX_REDIRECTS) throw new RedirectRefusedError(`more than ${MAX_REDIRECTS} redirects (the last to ${formatHttpUrl(next.url)})`);
    current = next.url;
  }
}
