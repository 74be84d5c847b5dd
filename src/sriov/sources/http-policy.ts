// What the metadata client retries (cloud-init's should_retry_cb, reference metadata §2.2, plus Retry-After and
// empty bodies) and how a failed attempt reads in a log line. Decisions only: no I/O.
import type { HttpResponse } from '../../host/host.js';
import { HostError } from '../../host/host.js';
import type { AttemptOutcome } from '../../lib/retry.js';
import { AttemptTimeoutError } from '../../lib/retry.js';

/** A redirect the client will not follow (another origin, a bad Location, a loop): never retried. */
export class RedirectRefusedError extends Error {
  override name = 'RedirectRefusedError';
  readonly code = 'EREDIRECT';
}

/** Transport errors that another attempt cannot fix: a body over the cap, a bad URL or scheme, TLS. */
const FINAL_CODES = new Set(['EFBIG', 'EPROTO', 'EINVAL']);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|ERR_OSSL|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH)/;

/** Retry connection errors and timeouts (the network may not be up yet at boot), 408, 429, any 5xx, and a 2xx
 * with an empty body (a proxy's artefact, as cloud-init counts it); never another 4xx, 404 included. */
export function shouldRetryFetch(outcome: AttemptOutcome<HttpResponse>): boolean {
  if (outcome.ok) {
    const { status, body } = outcome.value;
    if (status === 408 || status === 429 || (status >= 500 && status <= 599)) return true;
    return status >= 200 && status <= 299 && isBlank(body);
  }
  const { error } = outcome;
  if (error instanceof AttemptTimeoutError) return true;
  // A refused redirect, or anything else that is not a HostError (a bug), does not go away by waiting.
  if (!(error instanceof HostError)) return false;
  return !FINAL_CODES.has(error.code) && !TLS_CODE.test(error.code);
}

/** Retry-After in delta-seconds on 503/429 (an HTTP-date would need the wall clock, which we do not trust at boot). */
export function retryAfterMs(outcome: AttemptOutcome<HttpResponse>): number | undefined {
  if (!outcome.ok || (outcome.value.status !== 503 && outcome.value.status !== 429)) return undefined;
  const value = outcome.value.headers['retry-after']?.trim();
  return value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) * 1000 : undefined;
}

/** `HTTP 503`, `ECONNREFUSED (connect ECONNREFUSED 127.0.0.1:80)`, `timed out (no answer within 10000 ms)`. */
export function describeFailure(outcome: AttemptOutcome<HttpResponse>): string {
  if (outcome.ok) {
    const { status, body } = outcome.value;
    return `HTTP ${status}${status >= 200 && status <= 299 && isBlank(body) ? ' with an empty body' : ''}`;
  }
  const { error } = outcome;
  if (error instanceof AttemptTimeoutError) return `timed out (${error.message})`;
  if (error instanceof HostError) {
    // The message repeats op and URL, which the caller's line already names.
    const prefix = `${error.op} ${error.path ?? ''}: `;
    return error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Nothing but whitespace (Nova's JSON always has at least `{}`). */
function isBlank(body: Uint8Array): boolean {
  return body.every((byte) => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09);
}
