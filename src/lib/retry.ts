// Retry policy and runner (google-guest-agent's retry package, AWS "full jitter"): the caller says what is worth
// another try; this decides when, bounds every attempt and never lets the whole run outlive its budget. Time and
// randomness are injected so tests run on a virtual clock.
import type { Clock } from './clock.js';

/** How often and how long to try. */
export interface RetryPolicy {
  /** Backoff ceiling before the first retry; it doubles per retry up to `capMs`. */
  baseMs: number;
  capMs: number;
  /** Each attempt is aborted (its signal fires) after this long, or when the budget ends, whichever is first. */
  attemptTimeoutMs: number;
  /** Total time from the first attempt's start; no attempt or sleep runs past it. */
  budgetMs: number;
  /** Default: unlimited (the budget is the limit). */
  maxAttempts?: number;
  /** No attempt starts with less time than this left (capped at attemptTimeoutMs; default 0): a sliver of an
   * attempt can only time out, and its "timed out" would hide the informative error before it. */
  minAttemptMs?: number;
}

/** What one attempt gave: a value (which may still be worth retrying, e.g. HTTP 503) or an error. */
export type AttemptOutcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export interface RetryHooks<T> {
  /** The explicit "should retry" test: false ends the run with this outcome as final. */
  shouldRetry(outcome: AttemptOutcome<T>): boolean;
  /** A delay the other side asked for (Retry-After), used instead of the jittered backoff; over budget → give up. */
  delayHintMs?(outcome: AttemptOutcome<T>): number | undefined;
  /** Called before each sleep, for logging. */
  onRetry?(outcome: AttemptOutcome<T>, attempt: number, delayMs: number): void;
}

export interface RetryDeps {
  clock: Clock;
  /** Uniform in [0, 1); Math.random in production. */
  random: () => number;
}

export interface RetryResult<T> {
  outcome: AttemptOutcome<T>;
  attempts: number;
  /** True when the last outcome was still retryable but the budget (or maxAttempts) ran out. */
  exhausted: boolean;
  elapsedMs: number;
}

/** The error an attempt ends with when its time is up (also the reason its AbortSignal carries). */
export class AttemptTimeoutError extends Error {
  override name = 'AttemptTimeoutError';
  readonly code = 'ETIMEDOUT';
  constructor(readonly timeoutMs: number) {
    super(`no answer within ${Math.round(timeoutMs)} ms`);
  }
}

/** Backoff ceiling before retry number `retry` (0-based): min(cap, base × 2^retry). */
export function backoffCeilingMs(policy: Pick<RetryPolicy, 'baseMs' | 'capMs'>, retry: number): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(retry, 52));
}

/** Runs `work` until `shouldRetry` says no, the attempts run out, or the budget ends. Never throws for `work`'s errors. */
export async function runWithRetry<T>(
  work: (signal: AbortSignal, attempt: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks<T>,
  deps: RetryDeps,
): Promise<RetryResult<T>> {
  const { clock } = deps;
  const start = clock.now();
  const deadline = start + policy.budgetMs;
  const maxAttempts = policy.maxAttempts ?? Number.POSITIVE_INFINITY;
  const minAttemptMs = Math.min(policy.minAttemptMs ?? 0, policy.attemptTimeoutMs);
  for (let attempt = 0; ; attempt++) {
    const timeoutMs = Math.max(0, Math.min(policy.attemptTimeoutMs, deadline - clock.now()));
    const outcome = await runAttempt(work, attempt, timeoutMs, clock);
    const result = (exhausted: boolean): RetryResult<T> => ({ outcome, attempts: attempt + 1, exhausted, elapsedMs: clock.now() - start });
    if (!hooks.shouldRetry(outcome)) return result(false);
    // What may be slept while leaving a worthwhile attempt before the deadline.
    const room = deadline - clock.now() - minAttemptMs;
    if (attempt + 1 >= maxAttempts || room <= 0) return result(true);
    const hint = hooks.delayHintMs?.(outcome);
    // Full jitter, its ceiling also capped by the room left: never sleep past the budget.
    const delayMs = hint ?? deps.random() * Math.min(backoffCeilingMs(policy, attempt), room);
    if (delayMs >= room) return result(true);
    hooks.onRetry?.(outcome, attempt, delayMs);
    await clock.sleep(delayMs);
  }
}

/** One attempt bounded by `timeoutMs`: its signal aborts then, and the attempt ends even if `work` ignores it. */
async function runAttempt<T>(
  work: (signal: AbortSignal, attempt: number) => Promise<T>,
  attempt: number,
  timeoutMs: number,
  clock: Clock,
): Promise<AttemptOutcome<T>> {
  const controller = new AbortController();
  const stopTimer = new AbortController();
  const timedOut = clock.sleep(timeoutMs, stopTimer.signal).then(
    (): AttemptOutcome<T> => {
      const error = new AttemptTimeoutError(timeoutMs);
      controller.abort(error);
      return { ok: false, error };
    },
    // The timer was stopped because the attempt finished: this branch must never win the race.
    () => new Promise<AttemptOutcome<T>>(() => undefined),
  );
  const finished = Promise.resolve()
    .then(() => work(controller.signal, attempt))
    .then(
      (value): AttemptOutcome<T> => ({ ok: true, value }),
      (error: unknown): AttemptOutcome<T> => ({ ok: false, error }),
    );
  try {
    return await Promise.race([finished, timedOut]);
  } finally {
    stopTimer.abort();
  }
}
