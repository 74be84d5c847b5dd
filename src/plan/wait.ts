// Polling with a budget: waits are for a condition, never a fixed sleep.
import type { Clock } from '../host/host.js';
import { HostError } from '../host/host.js';

const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 200;

/**
 * Polls `check` until it returns a value other than undefined, backing off from
 * 10 ms to 200 ms; rejects HostError ETIMEDOUT naming `what` after `timeoutMs`
 * (the caller has already cut it to what is left of the run's deadline), and with
 * the signal's reason as soon as `signal` aborts (SIGTERM).
 */
export async function pollUntil<T>(
  clock: Clock,
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
  signal?: AbortSignal,
): Promise<T> {
  const deadline = clock.now() + timeoutMs;
  let interval = FIRST_POLL_MS;
  for (;;) {
    if (signal?.aborted) throw signal.reason;
    const value = await check();
    if (value !== undefined) return value;
    const left = deadline - clock.now();
    if (left <= 0) throw new HostError('wait', what, 'ETIMEDOUT', `not within ${Math.round(timeoutMs)} ms`);
    await clock.sleep(Math.min(interval, left), signal).catch((error: unknown) => {
      throw signal?.aborted ? signal.reason : error;
    });
    interval = Math.min(interval * 2, MAX_POLL_MS);
  }
}
